import { createHash, timingSafeEqual } from 'node:crypto';
import { BlockList, isIP } from 'node:net';

// API authentication (`listen.token`) and the check for a daemon exposed without it.

/**
 * Health checks answer without the token: load balancers and orchestrators probe them without
 * credentials, and they reveal nothing but "up" and "ready". Compared with the raw request
 * path the router sees, so `/healthz/../jobs` is not exempt.
 */
const OPEN_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz']);

export function isOpenPath(rawPath: string): boolean {
  return OPEN_PATHS.has(rawPath);
}

/**
 * Whether an `Authorization` header carries `token`. An empty or absent token means no
 * authentication, as in the original. The comparison runs over SHA-256 digests with
 * `timingSafeEqual`, so neither the token's content nor its length leaks through timing.
 */
export function isAuthorized(authorization: string | undefined, token: string | undefined): boolean {
  if (token === undefined || token === '') return true;
  const given = bearerValue(authorization ?? '');
  // Digest something even when the header is malformed, so that case takes as long.
  const matches = timingSafeEqual(digest(given ?? ''), digest(token));
  return matches && given !== undefined;
}

/**
 * The credentials of a `Bearer` header, surrounding blanks removed. Linear in the header's
 * length: a regex for trailing blanks (`[ \t]+$`) backtracks quadratically on a long run of
 * blanks, and the header is attacker-controlled and read before the token is checked.
 */
function bearerValue(header: string): string | undefined {
  const scheme = /^Bearer[ \t]+/i.exec(header);
  if (scheme === null) return undefined;
  let end = header.length;
  while (end > scheme[0].length && (header[end - 1] === ' ' || header[end - 1] === '\t')) end--;
  return header.slice(scheme[0].length, end);
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/**
 * Whether only this machine can reach `host`: `localhost`, 127.0.0.0/8 or ::1 (IPv4-mapped
 * too). Anything else — 0.0.0.0, ::, a LAN address, a name — may be reachable from outside.
 */
export function isLoopbackHost(host: string): boolean {
  const name = host.trim().replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (name === 'localhost' || name === 'localhost.') return true;
  const family = isIP(name);
  if (family === 4) return LOOPBACK.check(name, 'ipv4');
  if (family === 6) return LOOPBACK.check(name, 'ipv6');
  return false;
}

/** The warning `serve` logs when the API is reachable from other machines with no token, or undefined. */
export function exposureWarning(host: string, token: string): string | undefined {
  if (token !== '' || isLoopbackHost(host)) return undefined;
  return (
    `listen.host is ${JSON.stringify(host)} and listen.token is not set: anyone who can reach this port can ` +
    'schedule, read and cancel jobs, and make this host send POST requests — set listen.token, ' +
    'listen.tokenFile or DALGA_LISTEN_TOKEN, or listen on 127.0.0.1'
  );
}
