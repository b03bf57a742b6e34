// Builds the URL a job is POSTed to. The job path is appended to endpoint.baseurl like the
// original does, but each `/`-separated segment is percent-encoded, so `?`, `#`, `@`, `\`,
// `%` and control characters stay inside the path and can never change the scheme, host or
// port (spec §9 #3). `.` and `..` segments are refused: URL parsers treat `%2e%2e` as `..`.

export class UnsafePathError extends Error {}

export function isSafeJobPath(path: string): boolean {
  return path.split('/').every((segment) => segment !== '.' && segment !== '..');
}

export function targetUrl(baseUrl: string, path: string): string {
  if (!isSafeJobPath(path)) throw new UnsafePathError(`unsafe job path ${JSON.stringify(path)}: "." and ".." segments are not allowed`);
  const encoded = path.split('/').map(encodeSegment).join('/');
  const url = baseUrl + encoded;
  assertUnderBase(baseUrl, url);
  return url;
}

function encodeSegment(segment: string): string {
  // encodeURIComponent leaves ! ' ( ) * unescaped, which are harmless in a path.
  return encodeURIComponent(segment);
}

function assertUnderBase(baseUrl: string, url: string): void {
  const base = new URL(baseUrl);
  const target = new URL(url);
  const basePath = base.pathname.endsWith('/') ? base.pathname : base.pathname + '/';
  const sameOrigin = base.protocol === target.protocol && base.host === target.host;
  if (!sameOrigin || !(target.pathname + '/').startsWith(basePath.replace(/\/$/, '') + '/')) {
    throw new UnsafePathError(`job path ${JSON.stringify(url)} leaves endpoint.baseurl`);
  }
}
