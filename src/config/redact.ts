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
    endpoint: { ...config.endpoint, signingKey: hide(config.endpoint.signingKey) },
    log: { ...config.log },
  };
}

function hide(secret: string): string {
  return secret === '' ? '' : REDACTED;
}

/** A URL safe to log: a password in its user info (`http://user:pass@host/`) is replaced. */
export function redactUrl(text: string): string {
  if (!URL.canParse(text)) return text;
  const url = new URL(text);
  if (url.password === '') return text;
  // Built by hand: the URL setter would percent-encode the marker's brackets.
  return `${url.protocol}//${url.username}:${REDACTED}@${url.host}${url.pathname}${url.search}${url.hash}`;
}
