// A copy of the configuration that is safe to print (`serve --debug`, logs): secrets that are
// set are replaced by a marker, so one can still see *whether* they are set.
import type { Config } from './schema.js';

export const REDACTED = '[redacted]';

export function redactConfig(config: Config): Config {
  return {
    ...config,
    jobs: { ...config.jobs },
    mysql: { ...config.mysql, password: hide(config.mysql.password) },
    postgres: { ...config.postgres, url: redactUrl(config.postgres.url), password: hide(config.postgres.password) },
    sqlite: { ...config.sqlite },
    listen: { ...config.listen, token: hide(config.listen.token) },
    endpoint: { ...config.endpoint, signingKey: hide(config.endpoint.signingKey), failureUrl: redactUrl(config.endpoint.failureUrl) },
    log: { ...config.log },
  };
}

function hide(secret: string): string {
  return secret === '' ? '' : REDACTED;
}

/**
 * A URL safe to log: a password in its user info (`http://user:pass@host/`) is replaced. Text
 * that does not parse as a URL (a mistyped one in a config error) is still searched for one.
 */
export function redactUrl(text: string): string {
  if (!URL.canParse(text)) return redactUserInfo(text);
  const url = new URL(text);
  if (url.password === '') return text;
  // Built by hand: the URL setter would percent-encode the marker's brackets.
  return `${url.protocol}//${url.username}:${REDACTED}@${url.host}${url.pathname}${url.search}${url.hash}`;
}

/** `…//user:secret@…` → `…//user:[redacted]@…`, on the text as written. */
function redactUserInfo(text: string): string {
  return text.replace(/(\/\/[^/?#@:\s]*):[^/?#\s]*@/g, `$1:${REDACTED}@`);
}

/**
 * Query parameters of dalga's own API whose values are never secrets; every other parameter's
 * value (`?token=…`, a stray `?password=…`) is redacted in the request log.
 */
const PLAIN_PARAMS = new Set(['interval', 'first-run', 'one-off', 'immediate', 'location', 'enable', 'disable', 'path', 'sort-by', 'reverse', 'limit', 'cursor']);

/** A request target (`/jobs/a/b?interval=60&token=x`) safe to log: unknown parameters' values are replaced. */
export function redactTarget(target: string): string {
  const at = target.indexOf('?');
  if (at === -1) return target;
  const pairs = target.slice(at + 1).split('&').map((pair) => {
    const eq = pair.indexOf('=');
    if (eq === -1) return pair;
    return PLAIN_PARAMS.has(decodeName(pair.slice(0, eq))) ? pair : `${pair.slice(0, eq)}=${REDACTED}`;
  });
  return `${target.slice(0, at)}?${pairs.join('&')}`;
}

function decodeName(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    return name;
  }
}
