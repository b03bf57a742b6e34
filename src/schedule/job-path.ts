// The one rule for which job paths can be delivered safely. The API refuses the others at PUT
// and delivery refuses them again (rows written before the rule, or by another program).
//
// Everything else is made safe by encoding: delivery percent-encodes each `/`-separated
// segment, so `?`, `#`, `@`, `\`, `%`, `:` and control characters stay inside the path and can
// never change the scheme, host or port. Only `.` and `..` survive encoding with a meaning of
// their own — URL parsers resolve them, climbing out of endpoint.baseurl — so they are refused.

/** Why `path` cannot be delivered safely, or undefined when it can. */
export function jobPathProblem(path: string): string | undefined {
  // A lone UTF-16 surrogate cannot be percent-encoded (encodeURIComponent throws on it).
  if (!path.isWellFormed()) return 'path is not valid Unicode';
  // Checked for every delivery: most paths have no dot at all.
  if (!path.includes('.')) return undefined;
  const dotSegment = path.split('/').find((segment) => segment === '.' || segment === '..');
  if (dotSegment === undefined) return undefined;
  return `path must not contain a "${dotSegment}" segment — it would leave endpoint.baseurl`;
}

export function isSafeJobPath(path: string): boolean {
  return jobPathProblem(path) === undefined;
}
