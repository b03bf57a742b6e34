import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { findConfigFile, loadConfig, type LoadConfigOptions } from '../../../src/config/load.js';
import { DEFAULTS } from '../../../src/config/schema.js';
import { ConfigError } from '../../../src/errors.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/config/', import.meta.url));
const fixture = (name: string): string => path.join(FIXTURES, name);

const made: string[] = [];
afterEach(async () => {
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A fresh directory holding `files` (name → contents). */
async function dirWith(files: Record<string, string> = {}): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'dalga-config-'));
  made.push(dir);
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), text);
  }
  return dir;
}

function load(options: Partial<LoadConfigOptions> & { cwd: string }) {
  return loadConfig({ env: {}, ...options });
}

async function configErrorOf(promise: Promise<unknown>): Promise<ConfigError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (error instanceof ConfigError) return error;
  throw new Error(`expected a ConfigError, got ${String(error)}`);
}

const ORIGINAL = {
  ...DEFAULTS,
  store: 'mysql',
  jobs: { ...DEFAULTS.jobs, randomizationFactor: 0, retryInterval: 60_000 },
  mysql: { ...DEFAULTS.mysql, host: '127.0.0.1', port: 3306, db: 'test', table: 'dalga', user: 'root', password: '' },
  listen: { ...DEFAULTS.listen, host: '127.0.0.1', port: 34006 },
  endpoint: { ...DEFAULTS.endpoint, baseurl: 'http://127.0.0.1:5000/', timeout: 10_000 },
};

describe('loadConfig: files', () => {
  it('gives the defaults when there is no file, environment or flag', async () => {
    const cwd = await dirWith();
    const loaded = await load({ cwd });
    expect(loaded.file).toBeUndefined();
    expect(loaded.warnings).toEqual([]);
    expect(loaded.config).toEqual({ ...DEFAULTS, sqlite: { ...DEFAULTS.sqlite, path: path.join(cwd, 'dalga.sqlite') } });
    expect(new Set(Object.values(loaded.sources))).toEqual(new Set(['default']));
  });

  it("loads the original's example config unchanged; its [mysql] section selects MySQL", async () => {
    const cwd = await dirWith();
    const loaded = await load({ cwd, configPath: fixture('original-dalga.toml') });
    expect(loaded.warnings).toEqual([]);
    expect(loaded.file).toBe(fixture('original-dalga.toml'));
    expect(loaded.config).toEqual({ ...ORIGINAL, sqlite: { ...DEFAULTS.sqlite, path: path.join(cwd, 'dalga.sqlite') } });
    expect(loaded.sources['jobs.retryInterval']).toBe('file');
    expect(loaded.sources['jobs.maxRunning']).toBe('default');
    expect(loaded.sources['store']).toBe('file');
  });

  it('loads the YAML equivalent to the same configuration', async () => {
    const cwd = await dirWith();
    const toml = await load({ cwd, configPath: fixture('original-dalga.toml') });
    const yaml = await load({ cwd, configPath: fixture('original-dalga.yaml') });
    expect(yaml.config).toEqual(toml.config);
    expect(yaml.warnings).toEqual([]);
  });

  it('loads every key, in any letter case, from a full file', async () => {
    const cwd = await dirWith();
    const { config, warnings } = await load({ cwd, configPath: fixture('full.toml') });
    expect(warnings).toEqual([]);
    expect(config).toEqual({
      store: 'mysql',
      jobs: {
        randomizationFactor: 0.25,
        retryInterval: 90_000,
        retryMultiplier: 2.5,
        retryMaxInterval: 3_600_000,
        retryStopAfter: 86_400_000,
        fixedIntervals: true,
        scanFrequency: 500,
        maxRunning: 7,
      },
      mysql: {
        host: 'db.example.com',
        port: 3307,
        db: 'jobs',
        table: 'dalga_v4',
        user: 'sched',
        password: 's3cret',
        maxOpenConns: 10,
        skipLocked: false,
        transactionIsolationParamName: 'tx_isolation',
        dialTimeout: 5_000,
        readTimeout: 6_000,
        writeTimeout: 7_000,
        instanceTimeout: 120_000,
      },
      postgres: {
        url: 'postgresql://pg_user:p%40ss@pg.example.com:6543/jobs_pg?sslmode=verify-full',
        host: 'pg.example.com',
        port: 6543,
        db: 'jobs_pg',
        schema: 'sched',
        table: 'dalga_pg',
        user: 'pg_user',
        password: 'p@ss',
        sslmode: 'verify-full',
        maxOpenConns: 4,
        dialTimeout: 4_000,
        queryTimeout: 8_000,
        instanceTimeout: 90_000,
      },
      sqlite: { path: path.join(cwd, 'data/jobs.sqlite'), table: 'jobs' },
      listen: {
        host: '0.0.0.0',
        port: 8080,
        shutdownTimeout: 20_000,
        idleTimeout: 120_000,
        readTimeout: 11_000,
        writeTimeout: 12_000,
        token: 't0ken',
        tokenFile: 'unused-because-token-is-set',
      },
      endpoint: {
        baseurl: 'https://hooks.example.com/dalga/',
        timeout: 3_000,
        signingKey: 'whsec_ZGFsZ2EgdGVzdCBmaXh0dXJlIGtleSwgMzIgYnl0ZXM=',
        failureUrl: 'https://ops.example.com/dalga-failures',
        failureAfter: 5,
      },
      log: { level: 'debug' },
      history: { keep: 20, maxAge: 72 * 3_600_000 },
    });
  });

  it('resolves -c relative to cwd, and reads JSON by its extension', async () => {
    const cwd = await dirWith({ 'conf/settings.json': '{ "jobs": { "maxRunning": 9 } }' });
    const loaded = await load({ cwd, configPath: 'conf/settings.json' });
    expect(loaded.file).toBe(path.join(cwd, 'conf/settings.json'));
    expect(loaded.config.jobs.maxRunning).toBe(9);
  });

  it('takes DALGA_CONFIG as the file when -c is not given, and -c over it', async () => {
    const cwd = await dirWith({ 'a.toml': '[jobs]\nmaxRunning = 2\n', 'b.toml': '[jobs]\nmaxRunning = 3\n' });
    expect((await load({ cwd, env: { DALGA_CONFIG: 'a.toml' } })).config.jobs.maxRunning).toBe(2);
    expect((await load({ cwd, env: { DALGA_CONFIG: 'a.toml' }, configPath: 'b.toml' })).config.jobs.maxRunning).toBe(3);
  });

  it('reports a missing -c file in one line with its name', async () => {
    const cwd = await dirWith();
    const error = await configErrorOf(load({ cwd, configPath: 'nope.toml' }));
    expect(error.message).toBe(`cannot read config file ${path.join(cwd, 'nope.toml')}: no such file`);
  });

  it('reports a TOML syntax error in one line with the file, line and column', async () => {
    const cwd = await dirWith();
    const error = await configErrorOf(load({ cwd, configPath: fixture('broken.toml') }));
    expect(error.message).toMatch(new RegExp(`^cannot parse config file ${escape(fixture('broken.toml'))} at line 3, column 17: \\S`));
    expect(error.message).not.toContain('\n');
    expect(error.exitCode).toBe(3);
  });

  it('reports YAML and JSON syntax errors with their line and column', async () => {
    const cwd = await dirWith({ 'bad.yaml': 'jobs:\n  maxRunning: 1\n  maxRunning: 2\n', 'bad.json': '{\n  "jobs": {,\n}' });
    const yaml = await configErrorOf(load({ cwd, configPath: 'bad.yaml' }));
    expect(yaml.message).toBe(`cannot parse config file ${path.join(cwd, 'bad.yaml')} at line 3, column 3: duplicated mapping key`);
    const json = await configErrorOf(load({ cwd, configPath: 'bad.json' }));
    expect(json.message).toMatch(new RegExp(`^cannot parse config file ${escape(path.join(cwd, 'bad.json'))} at line 2, column 12: \\S`));
    expect(json.message).not.toContain('\n');
  });

  it('refuses a file whose top level is not a table, and an unknown extension', async () => {
    const cwd = await dirWith({ 'list.yaml': '- 1\n- 2\n', 'dalga.ini': '[jobs]\n' });
    expect((await configErrorOf(load({ cwd, configPath: 'list.yaml' }))).message).toMatch(/list\.yaml: expected a table of sections/);
    expect((await configErrorOf(load({ cwd, configPath: 'dalga.ini' }))).message).toMatch(/unknown extension \.ini/);
  });

  it('names the key of an invalid value in a file, and the file', async () => {
    const cwd = await dirWith({ 'dalga.toml': '[jobs]\nrandomizationFactor = 2\n' });
    const error = await configErrorOf(load({ cwd }));
    expect(error.message).toBe(
      `invalid config jobs.randomizationFactor: must be between 0 and 1 (got 2) — in ${path.join(cwd, 'dalga.toml')}`,
    );
  });

  it('names the file when one key is given twice in different cases', async () => {
    const cwd = await dirWith({ 'dalga.yaml': 'jobs:\n  maxRunning: 1\n  MaxRunning: 2\n' });
    const error = await configErrorOf(load({ cwd }));
    expect(error.message).toBe(
      `invalid config jobs.maxRunning: given more than once with different letter case — in ${path.join(cwd, 'dalga.yaml')}`,
    );
  });

  it('warns about an unknown key in a file with a suggestion', async () => {
    const cwd = await dirWith({ 'dalga.toml': '[jobs]\nmaxrunnin = 5\n' });
    const seen: string[] = [];
    const loaded = await load({ cwd, warn: (msg) => seen.push(msg) });
    expect(loaded.warnings).toEqual(['unknown config key jobs.maxrunnin (did you mean jobs.maxRunning?)']);
    expect(seen).toEqual(loaded.warnings);
  });
});

describe('loadConfig: discovery', () => {
  it.each([
    ['dalga.toml', '[jobs]\nmaxRunning = 11\n'],
    ['dalga.yaml', 'jobs:\n  maxRunning: 11\n'],
    ['dalga.yml', 'jobs:\n  maxRunning: 11\n'],
    ['.dalgarc', 'jobs:\n  maxRunning: 11\n'],
    ['.dalgarc.json', '{"jobs": {"maxRunning": 11}}'],
    ['.dalgarc.yaml', 'jobs: {maxRunning: 11}\n'],
    ['.dalgarc.yml', 'jobs: {maxRunning: 11}\n'],
    ['.dalgarc.toml', '[jobs]\nmaxRunning = 11\n'],
    ['package.json', '{"name": "app", "dalga": {"jobs": {"maxRunning": 11}}}'],
  ])('finds %s in the working directory', async (name, text) => {
    const cwd = await dirWith({ [name]: text });
    const loaded = await load({ cwd });
    expect(loaded.file).toBe(path.join(cwd, name));
    expect(loaded.config.jobs.maxRunning).toBe(11);
    expect(await findConfigFile(cwd)).toBe(path.join(cwd, name));
  });

  it('does not climb to a parent directory', async () => {
    const parent = await dirWith({ 'dalga.toml': '[jobs]\nmaxRunning = 11\n', 'child/README': 'x' });
    const child = path.join(parent, 'child');
    expect(await findConfigFile(child)).toBeUndefined();
    const loaded = await load({ cwd: child });
    expect(loaded.file).toBeUndefined();
    expect(loaded.config.jobs.maxRunning).toBe(100);
  });

  it('ignores a package.json without a dalga key', async () => {
    const cwd = await dirWith({ 'package.json': '{"name": "app"}' });
    expect(await findConfigFile(cwd)).toBeUndefined();
  });

  it('does not pick config.toml unless it is given with -c', async () => {
    const cwd = await dirWith({ 'config.toml': '[jobs]\nmaxRunning = 11\n' });
    expect(await findConfigFile(cwd)).toBeUndefined();
    expect((await load({ cwd, configPath: 'config.toml' })).config.jobs.maxRunning).toBe(11);
  });

  it('takes an empty dalga.toml as the file, giving the defaults', async () => {
    const cwd = await dirWith({ 'dalga.toml': '' });
    const loaded = await load({ cwd });
    expect(loaded.file).toBe(path.join(cwd, 'dalga.toml'));
    expect(loaded.config.jobs).toEqual(DEFAULTS.jobs);
  });

  it('uses dalga.toml before the others, and warns that the others are ignored', async () => {
    const cwd = await dirWith({ 'dalga.toml': '[jobs]\nmaxRunning = 1\n', '.dalgarc.yaml': 'jobs: {maxRunning: 2}\n' });
    const loaded = await load({ cwd });
    expect(loaded.config.jobs.maxRunning).toBe(1);
    expect(loaded.warnings).toEqual([`several config files in ${cwd}: using dalga.toml, ignoring .dalgarc.yaml`]);
  });

  it('reports a syntax error in a discovered file', async () => {
    const cwd = await dirWith({ 'dalga.toml': '[jobs\n' });
    const error = await configErrorOf(load({ cwd }));
    expect(error.message).toMatch(new RegExp(`^cannot parse config file ${escape(path.join(cwd, 'dalga.toml'))} at line 1, column \\d+: `));
  });
});

describe('loadConfig: environment and flags', () => {
  it('lets the environment override the file, in any case and with or without underscores in the key', async () => {
    const cwd = await dirWith({ 'dalga.toml': '[jobs]\nmaxRunning = 5\nscanFrequency = "2s"\n[listen]\nport = 1\n' });
    const { config, sources, warnings } = await load({
      cwd,
      env: { DALGA_JOBS_MAXRUNNING: '6', dalga_jobs_scan_frequency: '3s', DALGA_LISTEN_TOKEN: 'abc', DALGA_LOG_LEVEL: 'debug' },
    });
    expect(warnings).toEqual([]);
    expect(config.jobs.maxRunning).toBe(6);
    expect(config.jobs.scanFrequency).toBe(3_000);
    expect(config.listen.port).toBe(1);
    expect(config.listen.token).toBe('abc');
    expect(config.log.level).toBe('debug');
    expect(sources['jobs.maxRunning']).toBe('env');
    expect(sources['listen.port']).toBe('file');
  });

  it('lets flags override the environment', async () => {
    const cwd = await dirWith();
    const { config, sources } = await load({
      cwd,
      env: { DALGA_JOBS_MAXRUNNING: '6', DALGA_ENDPOINT_TIMEOUT: '4s' },
      flags: { jobs: { maxRunning: 8 }, endpoint: { timeout: 1_500 } },
    });
    expect(config.jobs.maxRunning).toBe(8);
    expect(config.endpoint.timeout).toBe(1_500);
    expect(sources['jobs.maxRunning']).toBe('flag');
    expect(sources['endpoint.timeout']).toBe('flag');
  });

  it('does not let an unset flag erase a file or environment value', async () => {
    const cwd = await dirWith({ 'dalga.toml': '[listen]\nhost = "0.0.0.0"\nport = 9000\n' });
    const { config, sources } = await load({
      cwd,
      env: { DALGA_JOBS_MAXRUNNING: '6' },
      flags: { listen: { host: undefined, port: undefined }, jobs: { maxRunning: undefined }, store: undefined, mysql: {} },
    });
    expect(config.listen).toMatchObject({ host: '0.0.0.0', port: 9000 });
    expect(config.jobs.maxRunning).toBe(6);
    expect(config.store).toBe('sqlite');
    expect(sources['listen.port']).toBe('file');
  });

  it('checks flag values like any other: the key is named', async () => {
    const cwd = await dirWith();
    expect((await configErrorOf(load({ cwd, flags: { listen: { port: 70_000 } } }))).message).toBe(
      'invalid config listen.port: must be a port number between 0 and 65535 (got 70000) — from a command-line flag',
    );
    expect((await configErrorOf(load({ cwd, flags: { jobs: { scanFrequency: -5 } } }))).message).toMatch(
      /^invalid config jobs\.scanFrequency: must be more than 0/,
    );
  });

  it('names the key and the variable of an invalid environment value', async () => {
    const cwd = await dirWith({ 'dalga.toml': '[mysql]\nport = 3307\n' });
    const error = await configErrorOf(load({ cwd, env: { Dalga_MySQL_Port: 'abc' } }));
    expect(error.message).toBe('invalid config mysql.port: must be an integer (got "abc") — from Dalga_MySQL_Port');
    const store = await configErrorOf(load({ cwd, env: { DALGA_STORE: 'pg' } }));
    expect(store.message).toBe('invalid config store: must be "sqlite", "mysql" or "postgres" (got "pg") — from DALGA_STORE');
  });

  it('warns about unknown DALGA_ variables, but not the client and config ones', async () => {
    const cwd = await dirWith();
    const { warnings } = await load({
      cwd,
      // DALGA_EXTRA_CA_CERTS is set by bin/dalga itself (NODE_EXTRA_CA_CERTS moved aside).
      env: { DALGA_JOBS_MAXRUNNIN: '1', DALGA_NOPE: 'x', DALGA_URL: 'http://x', DALGA_TOKEN: 't', DALGA_CONFIG: '', DALGA_EXTRA_CA_CERTS: '/ca.pem', HOME: '/root' },
    });
    expect(warnings).toEqual([
      'unknown environment variable DALGA_JOBS_MAXRUNNIN (did you mean DALGA_JOBS_MAXRUNNING?)',
      'unknown environment variable DALGA_NOPE',
    ]);
  });
});

describe('loadConfig: store selection', () => {
  it("is mysql with defaultStore (Go Dalga's command line) unless a layer says otherwise", async () => {
    const empty = await dirWith({ 'dalga.toml': '' });
    expect((await load({ cwd: empty, defaultStore: 'mysql' })).config.store).toBe('mysql');
    const sqlite = await dirWith({ 'dalga.toml': 'store = "sqlite"\n' });
    expect((await load({ cwd: sqlite, defaultStore: 'mysql' })).config.store).toBe('sqlite');
    expect((await load({ cwd: empty, defaultStore: 'mysql', env: { DALGA_STORE: 'sqlite' } })).config.store).toBe('sqlite');
  });

  it('is sqlite with no MySQL settings', async () => {
    const cwd = await dirWith({ 'dalga.toml': '[jobs]\nmaxRunning = 5\n' });
    expect((await load({ cwd })).config.store).toBe('sqlite');
  });

  it('is mysql when a DALGA_MYSQL_ variable is set', async () => {
    const cwd = await dirWith();
    const loaded = await load({ cwd, env: { DALGA_MYSQL_HOST: 'db' } });
    expect(loaded.config.store).toBe('mysql');
    expect(loaded.config.mysql.host).toBe('db');
    expect(loaded.sources['store']).toBe('env');
  });

  it('is mysql with DALGA_STORE=mysql or store = "mysql"', async () => {
    const cwd = await dirWith({ 'dalga.toml': 'store = "mysql"\n' });
    expect((await load({ cwd })).config.store).toBe('mysql');
    expect((await load({ cwd: await dirWith(), env: { DALGA_STORE: 'mysql' } })).config.store).toBe('mysql');
  });

  it('keeps an explicit sqlite over a [mysql] section and over DALGA_MYSQL_ variables', async () => {
    const cwd = await dirWith({ 'dalga.toml': 'store = "sqlite"\n[mysql]\nhost = "db"\n' });
    expect((await load({ cwd, env: { DALGA_MYSQL_PORT: '3307' } })).config.store).toBe('sqlite');
    const fileSaysMysql = await dirWith({ 'dalga.toml': '[mysql]\nhost = "db"\n' });
    expect((await load({ cwd: fileSaysMysql, env: { DALGA_STORE: 'sqlite' } })).config.store).toBe('sqlite');
    expect((await load({ cwd: fileSaysMysql, flags: { store: 'sqlite' } })).config.store).toBe('sqlite');
  });
});

describe('loadConfig: PostgreSQL', () => {
  it('is postgres with DALGA_STORE=postgres and a DALGA_POSTGRES_URL, which fills the connection keys', async () => {
    const loaded = await load({ cwd: await dirWith(), env: { DALGA_STORE: 'postgres', DALGA_POSTGRES_URL: 'postgres://root@127.0.0.1:5432/test' } });
    expect(loaded.config.store).toBe('postgres');
    expect(loaded.config.postgres).toMatchObject({ host: '127.0.0.1', port: 5432, user: 'root', password: '', db: 'test', schema: 'public', table: 'dalga' });
  });

  it('is postgres when a DALGA_POSTGRES_ variable or a [postgres] section is there, and asks when MySQL settings are there too', async () => {
    const byEnv = await load({ cwd: await dirWith(), env: { DALGA_POSTGRES_HOST: 'pg', DALGA_POSTGRES_MAX_OPEN_CONNS: '3' } });
    expect([byEnv.config.store, byEnv.config.postgres.host, byEnv.config.postgres.maxOpenConns, byEnv.sources['store']]).toEqual(['postgres', 'pg', 3, 'env']);
    const byFile = await load({ cwd: await dirWith({ 'dalga.toml': '[postgres]\nschema = "jobs"\n' }) });
    expect([byFile.config.store, byFile.config.postgres.schema]).toEqual(['postgres', 'jobs']);
    const both = await configErrorOf(load({ cwd: await dirWith({ 'dalga.toml': '[postgres]\n[mysql]\n' }) }));
    expect(both.message).toMatch(/^invalid config store: must be set: there are both mysql and postgres settings/);
    const explicit = await load({ cwd: await dirWith({ 'dalga.toml': 'store = "postgres"\n[postgres]\n[mysql]\n' }) });
    expect(explicit.config.store).toBe('postgres');
  });

  it('refuses a bad URL or sslmode with one line that never shows the password', async () => {
    const cwd = await dirWith();
    const cases: [string, RegExp][] = [
      ['mysql://u:sekret@h/db', /^invalid config postgres\.url: must start with postgres:\/\/ \(got mysql:\/\/\) — from DALGA_POSTGRES_URL$/],
      ['not a url sekret', /^invalid config postgres\.url: must be a URL like postgres:\/\/user:password@host:5432\/db — from DALGA_POSTGRES_URL$/],
      ['postgres://u:sekret@h/db?sslmode=prefer', /sslmode must be one of disable, require, verify-ca, verify-full \(got "prefer"\)/],
      ['postgres://u:sekret@h/db?application_name=x', /parameter "application_name" is not supported/],
    ];
    for (const [url, message] of cases) {
      const error = await configErrorOf(load({ cwd, env: { DALGA_POSTGRES_URL: url } }));
      expect(error.message).toMatch(message);
      expect(error.message).not.toMatch(/sekret/);
    }
    const sslmode = await configErrorOf(load({ cwd, env: { DALGA_POSTGRES_SSLMODE: 'prefer' } }));
    expect(sslmode.message).toBe('invalid config postgres.sslmode: must be one of disable, require, verify-ca, verify-full (got "prefer") — from DALGA_POSTGRES_SSLMODE');
    const schema = await configErrorOf(load({ cwd, env: { DALGA_POSTGRES_SCHEMA: 'a"b' } }));
    expect(schema.message).toMatch(/^invalid config postgres\.schema: must be letters, digits and underscores/);
  });
});

describe('loadConfig: token file and paths', () => {
  it('reads the token from listen.tokenFile, trimmed, relative to cwd', async () => {
    const cwd = await dirWith({ 'secrets/token': '  s3cret-token\n', 'dalga.toml': '[listen]\ntokenFile = "secrets/token"\n' });
    const loaded = await load({ cwd });
    expect(loaded.config.listen.token).toBe('s3cret-token');
    expect(loaded.sources['listen.token']).toBe('file');
  });

  it('prefers listen.token when both are set, without reading the file', async () => {
    const cwd = await dirWith();
    const loaded = await load({ cwd, env: { DALGA_LISTEN_TOKEN: 'direct', DALGA_LISTEN_TOKENFILE: 'missing' } });
    expect(loaded.config.listen.token).toBe('direct');
  });

  it('refuses a missing or empty token file, naming the key', async () => {
    const cwd = await dirWith({ empty: '\n \n' });
    const missing = await configErrorOf(load({ cwd, env: { DALGA_LISTEN_TOKENFILE: 'missing' } }));
    expect(missing.message).toBe(`invalid config listen.tokenFile: cannot read ${path.join(cwd, 'missing')}: no such file`);
    const empty = await configErrorOf(load({ cwd, env: { DALGA_LISTEN_TOKENFILE: 'empty' } }));
    expect(empty.message).toBe(`invalid config listen.tokenFile: ${path.join(cwd, 'empty')} is empty`);
  });

  it('refuses a token file that cannot be read, naming the key', async () => {
    // A directory is unreadable as a file for every user, root included (chmod 000 is not).
    const cwd = await dirWith();
    await mkdir(path.join(cwd, 'secrets'));
    const error = await configErrorOf(load({ cwd, env: { DALGA_LISTEN_TOKENFILE: 'secrets' } }));
    expect(error.message).toMatch(/^invalid config listen\.tokenFile: cannot read .*secrets/);
  });

  it('resolves a relative sqlite.path against cwd and keeps :memory: and absolute paths', async () => {
    const cwd = await dirWith();
    expect((await load({ cwd, env: { DALGA_SQLITE_PATH: 'db/x.sqlite' } })).config.sqlite.path).toBe(path.join(cwd, 'db/x.sqlite'));
    expect((await load({ cwd, env: { DALGA_SQLITE_PATH: ':memory:' } })).config.sqlite.path).toBe(':memory:');
    expect((await load({ cwd, env: { DALGA_SQLITE_PATH: '/var/lib/dalga.sqlite' } })).config.sqlite.path).toBe('/var/lib/dalga.sqlite');
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
