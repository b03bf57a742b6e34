// Builds the URL a job is POSTed to. The job path is appended to endpoint.baseurl like the
// original does, but each `/`-separated segment is percent-encoded, so `?`, `#`, `@`, `\`,
// `%` and control characters stay inside the path and can never change the scheme, host or
// port (spec §9 #3). `.` and `..` segments are refused: URL parsers treat `%2e%2e` as `..`.

import { jobPathProblem } from '../schedule/job-path.js';

export { isSafeJobPath } from '../schedule/job-path.js';

export class UnsafePathError extends Error {}

export function targetUrl(baseUrl: string, path: string): string {
  const problem = jobPathProblem(path);
  if (problem !== undefined) throw new UnsafePathError(`unsafe job path ${JSON.stringify(path)}: ${problem}`);
  const base = withRootSlash(baseUrl);
  const encoded = path.split('/').map(encodeSegment).join('/');
  const url = base + encoded;
  assertUnderBase(base, url);
  return url;
}

/**
 * `http://host:5000` has no path to append to: pasting `0` would give port 50000 and `.evil`
 * another host. Such a base is taken as `http://host:5000/`.
 */
function withRootSlash(baseUrl: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*$/i.test(baseUrl) ? `${baseUrl}/` : baseUrl;
}

function encodeSegment(segment: string): string {
  // encodeURIComponent leaves ! ' ( ) * unescaped, which are harmless in a path.
  return encodeURIComponent(segment);
}

function assertUnderBase(baseUrl: string, url: string): void {
  const base = new URL(baseUrl);
  const target = new URL(url);
  // A plain prefix test: a base without a trailing slash (`/api`) is pasted onto, like the
  // original does (`/api` + `x` = `/apix`); dot segments, the only way up, are refused above.
  const sameOrigin = base.protocol === target.protocol && base.host === target.host;
  if (!sameOrigin || !target.pathname.startsWith(base.pathname)) {
    throw new UnsafePathError(`job path ${JSON.stringify(url)} leaves endpoint.baseurl`);
  }
}
