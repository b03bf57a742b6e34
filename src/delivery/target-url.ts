// Where a job is POSTed. The job path is appended to endpoint.baseurl like the original does,
// but each `/`-separated segment is percent-encoded, so `?`, `#`, `@`, `\`, `%` and control
// characters stay inside the path (spec §9 #3), and `.` and `..` segments are refused: URL
// parsers treat `%2e%2e` as `..`. The origin (scheme, host, port) is taken from the parsed base
// alone, so no job path can change where the request goes.

import { jobPathProblem } from '../schedule/job-path.js';

export { isSafeJobPath } from '../schedule/job-path.js';

export class UnsafePathError extends Error {}

/** endpoint.baseurl, parsed once for every delivery. */
export interface EndpointBase {
  /** `http://host:port`, where every request goes. */
  readonly origin: string;
  /** What job paths are appended to: the base's path and query (`/hooks/`, `/api?k=v`). */
  readonly prefix: string;
  /** `Basic …` from a `user:password@` in the base URL, as Go's HTTP client sends it. */
  readonly authorization?: string;
}

export function parseEndpointBase(baseUrl: string): EndpointBase {
  // A base without a path (`http://host:5000`) parses to the path `/`: pasting `0` cannot make
  // port 50000, nor `.evil` another host.
  const url = new URL(baseUrl);
  const authorization = basicAuthorization(url);
  return { origin: url.origin, prefix: url.pathname + url.search, ...(authorization ? { authorization } : {}) };
}

/** The request target (path and query) for a job path; UnsafePathError for a dot segment. */
export function targetPath(base: EndpointBase, path: string): string {
  const problem = jobPathProblem(path);
  if (problem !== undefined) throw new UnsafePathError(`unsafe job path ${JSON.stringify(path)}: ${problem}`);
  // encodeURIComponent leaves ! ' ( ) * unescaped, which are harmless in a path. A base path
  // without a trailing slash (`/api`) is pasted onto, like the original does (`/api` + `x`).
  return base.prefix + path.split('/').map(encodeURIComponent).join('/');
}

export function targetUrl(baseUrl: string, path: string): string {
  const base = parseEndpointBase(baseUrl);
  return base.origin + targetPath(base, path);
}

function basicAuthorization(url: URL): string | undefined {
  if (url.username === '' && url.password === '') return undefined;
  const decode = (text: string): string => {
    try {
      return decodeURIComponent(text);
    } catch {
      return text;
    }
  };
  return `Basic ${Buffer.from(`${decode(url.username)}:${decode(url.password)}`, 'utf8').toString('base64')}`;
}
