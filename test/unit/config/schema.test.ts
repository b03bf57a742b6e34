import { describe, expect, it } from 'vitest';
import { DEFAULTS, validateConfig } from '../../../src/config/schema.js';
import { ConfigError } from '../../../src/errors.js';

/** validateConfig with its warnings collected. */
function validate(raw: unknown): { config: ReturnType<typeof validateConfig>; warnings: string[] } {
  const warnings: string[] = [];
  const config = validateConfig(raw, (msg) => warnings.push(msg));
  return { config, warnings };
}

function errorOf(raw: unknown): ConfigError {
  try {
    validateConfig(raw, () => {});
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(raw)}`);
}

describe('DEFAULTS', () => {
  it('are the documented values, durations in milliseconds', () => {
    expect(DEFAULTS).toEqual({
      store: 'sqlite',
      jobs: {
        randomizationFactor: 0,
        retryInterval: 60_000,
        retryMultiplier: 1,
        retryMaxInterval: 60_000,
        retryStopAfter: 0,
        fixedIntervals: false,
        scanFrequency: 1_000,
        maxRunning: 100,
      },
      mysql: {
        host: '127.0.0.1',
        port: 3306,
        db: 'test',
        table: 'dalga',
        user: 'root',
        password: '',
        maxOpenConns: 50,
        skipLocked: true,
        transactionIsolationParamName: '',
        dialTimeout: 30_000,
        readTimeout: 30_000,
        writeTimeout: 30_000,
        instanceTimeout: 60_000,
      },
      postgres: {
        url: '',
        host: '127.0.0.1',
        port: 5432,
        db: 'postgres',
        schema: 'public',
        table: 'dalga',
        user: 'postgres',
        password: '',
        sslmode: 'disable',
        maxOpenConns: 10,
        dialTimeout: 30_000,
        queryTimeout: 30_000,
        instanceTimeout: 60_000,
      },
      sqlite: { path: 'dalga.sqlite', table: 'dalga' },
      listen: {
        host: '127.0.0.1',
        port: 34006,
        shutdownTimeout: 10_000,
        idleTimeout: 60_000,
        readTimeout: 10_000,
        writeTimeout: 10_000,
        token: '',
        tokenFile: '',
      },
      endpoint: { baseurl: 'http://127.0.0.1:5000/', timeout: 10_000, signingKey: '', failureUrl: '', failureAfter: 0 },
      log: { level: 'info' },
      history: { keep: 100, maxAge: 7 * 24 * 3_600_000 },
    });
  });

  it('cannot be changed by accident', () => {
    expect(Object.isFrozen(DEFAULTS)).toBe(true);
    expect(Object.isFrozen(DEFAULTS.jobs)).toBe(true);
  });

  it('is what an empty or missing configuration gives', () => {
    expect(validate(undefined).config).toEqual(DEFAULTS);
    expect(validate({}).config).toEqual(DEFAULTS);
    expect(validate(null).config).toEqual(DEFAULTS);
  });

  it('is not shared with the result', () => {
    const { config } = validate({});
    config.jobs.maxRunning = 1;
    expect(DEFAULTS.jobs.maxRunning).toBe(100);
  });
});

describe('validateConfig: values', () => {
  it('converts Go duration strings to milliseconds', () => {
    const { config } = validate({
      jobs: { retryInterval: '1m30s', scanFrequency: '500ms', retryStopAfter: '0', retryMaxInterval: '1.5h' },
    });
    expect(config.jobs.retryInterval).toBe(90_000);
    expect(config.jobs.scanFrequency).toBe(500);
    expect(config.jobs.retryStopAfter).toBe(0);
    expect(config.jobs.retryMaxInterval).toBe(5_400_000);
  });

  it('accepts the number 0 for a duration', () => {
    expect(validate({ jobs: { retryStopAfter: 0 } }).config.jobs.retryStopAfter).toBe(0);
  });

  it('takes integers, numbers and booleans from strings, as the environment gives them', () => {
    const { config } = validate({
      jobs: { maxRunning: '7', randomizationFactor: '0.5', fixedIntervals: 'true' },
      mysql: { port: ' 3307 ', skipLocked: '0' },
      listen: { port: '0' },
    });
    expect(config.jobs.maxRunning).toBe(7);
    expect(config.jobs.randomizationFactor).toBe(0.5);
    expect(config.jobs.fixedIntervals).toBe(true);
    expect(config.mysql.port).toBe(3307);
    expect(config.mysql.skipLocked).toBe(false);
    expect(config.listen.port).toBe(0);
  });

  it.each([
    ['true', true],
    ['TRUE', true],
    ['1', true],
    [true, true],
    ['false', false],
    ['False', false],
    ['0', false],
    [false, false],
  ])('reads the boolean %j', (value, expected) => {
    expect(validate({ jobs: { fixedIntervals: value } }).config.jobs.fixedIntervals).toBe(expected);
  });

  it('keeps the base URL exactly as given: no slash is added', () => {
    expect(validate({ endpoint: { baseurl: 'http://h:1/hooks' } }).config.endpoint.baseurl).toBe('http://h:1/hooks');
  });

  it('accepts the log level in any case', () => {
    expect(validate({ log: { level: 'WARN' } }).config.log.level).toBe('warn');
  });

  it('keeps an explicit transaction isolation variable, and empty means detect', () => {
    expect(validate({ mysql: { transactionIsolationParamName: 'tx_isolation' } }).config.mysql.transactionIsolationParamName).toBe(
      'tx_isolation',
    );
    expect(validate({}).config.mysql.transactionIsolationParamName).toBe('');
  });
});

describe('validateConfig: key names', () => {
  it.each(['maxrunning', 'MaxRunning', 'maxRunning', 'MAXRUNNING'])('accepts the key spelled %s', (key) => {
    expect(validate({ jobs: { [key]: 3 } }).config.jobs.maxRunning).toBe(3);
  });

  it.each(['Jobs', 'JOBS', 'jobs'])('accepts the section spelled [%s]', (section) => {
    expect(validate({ [section]: { maxRunning: 4 } }).config.jobs.maxRunning).toBe(4);
  });

  it('refuses one key given twice in different cases', () => {
    expect(errorOf({ jobs: { maxRunning: 1, maxrunning: 2 } }).message).toBe(
      'invalid config jobs.maxRunning: given more than once with different letter case',
    );
  });

  it('warns about an unknown key with a suggestion, and goes on', () => {
    const { config, warnings } = validate({ jobs: { maxrunnin: 5 } });
    expect(warnings).toEqual(['unknown config key jobs.maxrunnin (did you mean jobs.maxRunning?)']);
    expect(config.jobs.maxRunning).toBe(100);
  });

  it('warns about an unknown section, with a suggestion when one is close', () => {
    expect(validate({ endpiont: { timeout: '1s' } }).warnings).toEqual(['unknown config key endpiont (did you mean endpoint?)']);
    expect(validate({ frobnicate: { x: 1 } }).warnings).toEqual(['unknown config key frobnicate']);
  });

  it('warns without a suggestion when nothing is close', () => {
    expect(validate({ jobs: { colour: 'blue' } }).warnings).toEqual(['unknown config key jobs.colour']);
  });

  it('refuses a section that is not a table', () => {
    expect(errorOf({ jobs: 5 }).message).toBe('invalid config jobs: must be a section of keys (got 5)');
  });

  it('refuses a top level that is not a table', () => {
    expect(errorOf([1, 2]).message).toMatch(/^invalid config: expected a table of sections/);
  });
});

describe('validateConfig: invalid values name the key', () => {
  it.each<[string, unknown, string]>([
    ['jobs.randomizationFactor', { jobs: { randomizationFactor: 2 } }, 'invalid config jobs.randomizationFactor: must be between 0 and 1 (got 2)'],
    ['jobs.randomizationFactor', { jobs: { randomizationFactor: -0.1 } }, 'must be between 0 and 1'],
    ['jobs.randomizationFactor', { jobs: { randomizationFactor: 'lots' } }, 'must be a number (got "lots")'],
    ['jobs.retryMultiplier', { jobs: { retryMultiplier: 0.5 } }, 'must be at least 1 (got 0.5)'],
    ['jobs.retryInterval', { jobs: { retryInterval: 60 } }, 'must be a Go duration string like "60s" or "1m30s" (got 60)'],
    ['jobs.retryInterval', { jobs: { retryInterval: '60' } }, 'must be a Go duration like "60s" or "1m30s" (got "60")'],
    ['jobs.retryInterval', { jobs: { retryInterval: 'PT1M' } }, 'must be a Go duration'],
    ['jobs.retryInterval', { jobs: { retryInterval: '0s' } }, 'must be more than 0'],
    ['jobs.retryMaxInterval', { jobs: { retryMaxInterval: '-1m' } }, 'must be more than 0'],
    ['jobs.retryStopAfter', { jobs: { retryStopAfter: '-1s' } }, 'must not be negative'],
    ['jobs.scanFrequency', { jobs: { scanFrequency: '0s' } }, 'must be more than 0'],
    ['jobs.scanFrequency', { jobs: { scanFrequency: '1000h' } }, 'must be less than 24 days'],
    ['jobs.maxRunning', { jobs: { maxRunning: 0 } }, 'must be at least 1 (got 0)'],
    ['jobs.maxRunning', { jobs: { maxRunning: 1.5 } }, 'must be an integer (got 1.5)'],
    ['jobs.maxRunning', { jobs: { maxRunning: '12abc' } }, 'must be an integer (got "12abc")'],
    ['jobs.maxRunning', { jobs: { maxRunning: 10n ** 20n } }, 'must be an integer'],
    ['jobs.fixedIntervals', { jobs: { fixedIntervals: 'yes' } }, 'must be true or false (got "yes")'],
    ['jobs.fixedIntervals', { jobs: { fixedIntervals: 1 } }, 'must be true or false (got 1)'],
    ['mysql.port', { mysql: { port: 0 } }, 'must be a port number between 1 and 65535 (got 0)'],
    ['mysql.port', { mysql: { port: 70000 } }, 'must be a port number between 1 and 65535'],
    ['mysql.host', { mysql: { host: '' } }, 'must not be empty'],
    ['mysql.table', { mysql: { table: 'dalga; DROP TABLE x' } }, 'must be letters, digits and underscores'],
    ['mysql.table', { mysql: { table: '1dalga' } }, 'must be letters, digits and underscores'],
    ['mysql.table', { mysql: { table: 'x'.repeat(54) } }, 'at most 53 characters'],
    ['mysql.maxOpenConns', { mysql: { maxOpenConns: 0 } }, 'must be at least 1'],
    ['mysql.transactionIsolationParamName', { mysql: { transactionIsolationParamName: "x'; --" } }, 'must be a session variable name'],
    ['mysql.dialTimeout', { mysql: { dialTimeout: '0s' } }, 'must be more than 0'],
    ['mysql.instanceTimeout', { mysql: { instanceTimeout: '-5s' } }, 'must be more than 0'],
    ['mysql.db', { mysql: { db: 5 } }, 'must be a string (quote it) (got 5)'],
    ['sqlite.table', { sqlite: { table: 'my-jobs' } }, 'must be letters, digits and underscores'],
    ['sqlite.path', { sqlite: { path: ' ' } }, 'must not be empty'],
    ['listen.port', { listen: { port: -1 } }, 'must be a port number between 0 and 65535 (got -1)'],
    ['listen.port', { listen: { port: 65536 } }, 'must be a port number between 0 and 65535'],
    ['listen.shutdownTimeout', { listen: { shutdownTimeout: '0ms' } }, 'must be more than 0'],
    ['listen.idleTimeout', { listen: { idleTimeout: 'soon' } }, 'must be a Go duration'],
    ['endpoint.baseurl', { endpoint: { baseurl: '127.0.0.1:5000' } }, 'must be an absolute http:// or https:// URL (got "127.0.0.1:5000")'],
    ['endpoint.baseurl', { endpoint: { baseurl: '/relative/' } }, 'must be an absolute http:// or https:// URL'],
    ['endpoint.baseurl', { endpoint: { baseurl: 'ftp://h/' } }, 'must be an absolute http:// or https:// URL'],
    ['endpoint.timeout', { endpoint: { timeout: '0s' } }, 'must be more than 0'],
    ['log.level', { log: { level: 'verbose' } }, 'must be one of fatal, error, warn, info, debug, trace, silent (got "verbose")'],
  ])('%s, case %#', (key, raw, expected) => {
    const error = errorOf(raw);
    expect(error.message.startsWith(`invalid config ${key}: `)).toBe(true);
    expect(error.message).toContain(expected);
    expect(error.message).not.toContain('\n');
    expect(error.exitCode).toBe(3);
  });

  it('does not echo a secret in the error message', () => {
    const message = errorOf({ mysql: { password: 12345678 } }).message;
    expect(message).toBe('invalid config mysql.password: must be a string (quote it)');
    expect(errorOf({ listen: { token: 98765 } }).message).not.toContain('98765');
    expect(errorOf({ endpoint: { signingKey: true } }).message).not.toContain('true');
  });

  it('does not echo the Basic-auth password of endpoint.baseurl', () => {
    const bad = errorOf({ endpoint: { baseurl: 'ftp://user:BasicS3cret@hooks.example.com/base/' } }).message;
    expect(bad).toBe('invalid config endpoint.baseurl: must be an absolute http:// or https:// URL (got "ftp://user:[redacted]@hooks.example.com/base/")');
    // Not even a URL: still no password.
    expect(errorOf({ endpoint: { baseurl: 'http//user:BasicS3cret@hooks.example.com/' } }).message).not.toContain('BasicS3cret');
    expect(errorOf({ endpoint: { baseurl: 'ftp://user:BasicS3cret@h' } }).message).not.toContain('BasicS3cret');
  });
});

describe('validateConfig: store selection', () => {
  it('is sqlite by default', () => {
    expect(validate({ jobs: { maxRunning: 3 } }).config.store).toBe('sqlite');
  });

  it('is mysql when there is a mysql section, even an empty one', () => {
    expect(validate({ mysql: { host: 'db' } }).config.store).toBe('mysql');
    expect(validate({ mysql: {} }).config.store).toBe('mysql');
    expect(validate({ MySQL: null }).config.store).toBe('mysql');
  });

  it('follows an explicit store, which wins over a mysql section', () => {
    expect(validate({ store: 'sqlite', mysql: { host: 'db' } }).config.store).toBe('sqlite');
    expect(validate({ store: 'mysql' }).config.store).toBe('mysql');
    expect(validate({ Store: 'MySQL' }).config.store).toBe('mysql');
  });

  it('is postgres when asked for, or when there is a postgres section', () => {
    expect(validate({ store: 'Postgres' }).config.store).toBe('postgres');
    expect(validate({ postgres: {} }).config.store).toBe('postgres');
    expect(validate({ store: 'sqlite', postgres: { host: 'db' } }).config.store).toBe('sqlite');
  });

  it('refuses an unknown store', () => {
    expect(errorOf({ store: 'pg' }).message).toBe('invalid config store: must be "sqlite", "mysql" or "postgres" (got "pg")');
  });
});
