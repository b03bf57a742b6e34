import { describe, expect, it } from 'vitest';
import { REDACTED, redactConfig } from '../../../src/config/redact.js';
import { DEFAULTS, type Config } from '../../../src/config/schema.js';

function withSecrets(): Config {
  const config = structuredClone(DEFAULTS) as Config;
  config.mysql.password = 'pw';
  config.listen.token = 'tok';
  config.endpoint.signingKey = 'whsec_key';
  return config;
}

describe('redactConfig', () => {
  it('hides the password, the token and the signing key when they are set', () => {
    const redacted = redactConfig(withSecrets());
    expect(redacted.mysql.password).toBe(REDACTED);
    expect(redacted.listen.token).toBe(REDACTED);
    expect(redacted.endpoint.signingKey).toBe(REDACTED);
    expect(JSON.stringify(redacted)).not.toMatch(/"pw"|"tok"|whsec_key/);
  });

  it('hides the PostgreSQL password and the one in its URL', () => {
    const config = structuredClone(DEFAULTS) as Config;
    config.postgres.password = 'pgpw';
    config.postgres.url = 'postgres://me:pgpw@db:5432/jobs';
    const redacted = redactConfig(config);
    expect(redacted.postgres.password).toBe(REDACTED);
    expect(redacted.postgres.url).toBe(`postgres://me:${REDACTED}@db:5432/jobs`);
    expect(JSON.stringify(redacted)).not.toMatch(/pgpw/);
  });

  it('leaves empty secrets empty, so one can see they are off', () => {
    const redacted = redactConfig(DEFAULTS);
    expect(redacted.mysql.password).toBe('');
    expect(redacted.listen.token).toBe('');
    expect(redacted.endpoint.signingKey).toBe('');
  });

  it('keeps everything else and does not touch its input', () => {
    const config = withSecrets();
    const redacted = redactConfig(config);
    expect({ ...redacted, mysql: { ...redacted.mysql, password: 'pw' }, listen: { ...redacted.listen, token: 'tok' }, endpoint: { ...redacted.endpoint, signingKey: 'whsec_key' } }).toEqual(config);
    expect(config.mysql.password).toBe('pw');
    redacted.jobs.maxRunning = 1;
    expect(config.jobs.maxRunning).toBe(100);
  });
});
