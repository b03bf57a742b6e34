// The daemon's configuration: its type, its defaults, and `validateConfig`, which turns the merged
// raw layers (file, environment, flags — any key case) into a checked `Config`. Pure: no I/O.
import { redactUrl } from './redact.js';
import { ConfigError } from '../errors.js';
import { parseGoDuration } from '../schedule/duration.js';
import { type KeySpec, STORE_KEY, SECTIONS, ALL_PATHS, keyPath, lookupKey, lookupSection, suggest } from './keys.js';
import { signingKeyProblem } from './signing-key.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type StoreKind = 'sqlite' | 'mysql' | 'postgres';
export const STORE_KINDS: readonly StoreKind[] = ['sqlite', 'mysql', 'postgres'];
export const SSL_MODES = ['disable', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

/** All durations are milliseconds. */
export interface Config {
  store: StoreKind;
  jobs: {
    randomizationFactor: number;
    retryInterval: number;
    retryMultiplier: number;
    retryMaxInterval: number;
    /** 0 means never stop retrying. */
    retryStopAfter: number;
    fixedIntervals: boolean;
    scanFrequency: number;
    maxRunning: number;
  };
  mysql: {
    host: string;
    port: number;
    db: string;
    table: string;
    user: string;
    password: string;
    maxOpenConns: number;
    skipLocked: boolean;
    /**
     * Session variable that sets the isolation level. '' (default) means "detect": the store
     * uses `transaction_isolation` when the server has it and `tx_isolation` otherwise (MariaDB
     * before 11.1). A configured value is used as is.
     */
    transactionIsolationParamName: string;
    dialTimeout: number;
    readTimeout: number;
    writeTimeout: number;
    /** Instances not seen for this long are removed, releasing their jobs. */
    instanceTimeout: number;
  };
  postgres: {
    /**
     * `postgres://user:password@host:port/db?sslmode=…`; '' means none. What it states replaces
     * host, port, user, password, db and sslmode (validateConfig copies it into them).
     */
    url: string;
    host: string;
    port: number;
    db: string;
    /** The schema holding the tables; created when missing. */
    schema: string;
    table: string;
    user: string;
    password: string;
    sslmode: SslMode;
    /** Pool size. */
    maxOpenConns: number;
    dialTimeout: number;
    /** Bounds each statement: the server's statement_timeout and the client's wait for an answer. */
    queryTimeout: number;
    instanceTimeout: number;
  };
  /** The run history (README "Run history"). */
  history: {
    /** Runs kept per job; 0 records none. */
    keep: number;
    /** Runs older than this are deleted; 0 keeps them until `keep` pushes them out. */
    maxAge: number;
  };
  sqlite: {
    /** Relative paths are resolved against the working directory by loadConfig. */
    path: string;
    table: string;
  };
  listen: {
    host: string;
    /** 0 picks a free port (tests). */
    port: number;
    shutdownTimeout: number;
    idleTimeout: number;
    readTimeout: number;
    writeTimeout: number;
    /** '' means no authentication. */
    token: string;
    /** Read the token (trimmed) from this file when `token` is empty; relative to the working directory. */
    tokenFile: string;
  };
  endpoint: {
    /** Absolute http(s) URL; the job path is appended to it as is (no `/` is added). */
    baseurl: string;
    timeout: number;
    /** '' means deliveries are not signed. */
    signingKey: string;
    /** Failure reports are POSTed here (README "Failure reports"); '' sends none. */
    failureUrl: string;
    /** Also report a job once it failed this many attempts in a row; 0: only when it gives up or is disabled. */
    failureAfter: number;
  };
  log: { level: LogLevel };
}

/** A ConfigError about one key, so the loader can add where the value came from. */
export class ConfigKeyError extends ConfigError {
  constructor(
    /** Dotted path: `jobs.maxRunning`, `store`, or a section name. */
    readonly key: string,
    /** The message after `invalid config <key>: `. */
    readonly problem: string,
  ) {
    super(`invalid config ${key}: ${problem}`);
  }
}

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

const SECOND = 1000;
const MINUTE = 60 * SECOND;

export const DEFAULTS: Config = deepFreeze({
  store: 'sqlite',
  jobs: {
    randomizationFactor: 0,
    retryInterval: MINUTE,
    retryMultiplier: 1,
    retryMaxInterval: MINUTE,
    retryStopAfter: 0,
    fixedIntervals: false,
    scanFrequency: SECOND,
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
    dialTimeout: 30 * SECOND,
    readTimeout: 30 * SECOND,
    writeTimeout: 30 * SECOND,
    instanceTimeout: MINUTE,
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
    dialTimeout: 30 * SECOND,
    queryTimeout: 30 * SECOND,
    instanceTimeout: MINUTE,
  },
  sqlite: { path: 'dalga.sqlite', table: 'dalga' },
  listen: {
    host: '127.0.0.1',
    port: 34006,
    shutdownTimeout: 10 * SECOND,
    idleTimeout: 60 * SECOND,
    readTimeout: 10 * SECOND,
    writeTimeout: 10 * SECOND,
    token: '',
    tokenFile: '',
  },
  endpoint: { baseurl: 'http://127.0.0.1:5000/', timeout: 10 * SECOND, signingKey: '', failureUrl: '', failureAfter: 0 },
  log: { level: 'info' },
  history: { keep: 100, maxAge: 7 * 24 * 60 * MINUTE },
});

/** Raw values under canonical names: `{ store?, jobs?: { maxRunning?: unknown } }`. */
export type RawTree = Record<string, unknown>;

/**
 * Rewrites any spelling of sections and keys to the canonical names. Unknown names are reported
 * through `warn` and dropped; the same key spelled twice in one section is an error, since which
 * one wins would be a guess. Sections stay present even when empty (a bare `[mysql]` selects MySQL).
 */
export function canonicalize(raw: unknown, warn: (msg: string) => void): RawTree {
  if (raw === undefined || raw === null) return {};
  if (!isPlainObject(raw)) throw new ConfigError(`invalid config: expected a table of sections (got ${describe(raw)})`);
  const tree: RawTree = {};
  for (const [name, value] of Object.entries(raw)) {
    if (name.toLowerCase() === STORE_KEY) {
      putOnce(tree, STORE_KEY, value, STORE_KEY);
      continue;
    }
    const section = lookupSection(name);
    if (section === undefined) {
      warn(unknownMessage(name, [STORE_KEY, ...SECTIONS]));
      continue;
    }
    if (value !== null && value !== undefined && !isPlainObject(value)) {
      throw new ConfigKeyError(section, `must be a section of keys (got ${describe(value)})`);
    }
    const target = (tree[section] ??= {}) as Record<string, unknown>;
    for (const [keyName, keyValue] of Object.entries(value ?? {})) {
      const spec = lookupKey(section, keyName);
      if (spec === undefined) {
        warn(unknownMessage(`${section}.${keyName}`, ALL_PATHS));
        continue;
      }
      putOnce(target, spec.key, keyValue, keyPath(spec));
    }
  }
  return tree;
}

/**
 * Checks and converts the merged raw configuration. Durations are Go duration strings ("90s",
 * "1m30s"); integers and booleans may also be strings, as environment values always are.
 * Throws ConfigError naming the key; unknown keys only warn.
 */
export function validateConfig(raw: unknown, warn: (msg: string) => void): Config {
  const tree = canonicalize(raw, warn);
  const config = structuredClone(DEFAULTS) as Config;
  const target = config as unknown as Record<string, Record<string, unknown>>;
  for (const section of SECTIONS) {
    const values = tree[section];
    if (!isPlainObject(values)) continue;
    for (const [key, value] of Object.entries(values)) {
      const spec = lookupKey(section, key);
      if (spec === undefined || value === undefined) continue;
      const converted = NORMALIZE[keyPath(spec)]?.(convert(spec, value)) ?? convert(spec, value);
      const problem = CHECKS[keyPath(spec)]?.(converted as never);
      if (problem !== undefined) throw invalid(spec, problem, value);
      const sectionTarget = target[section];
      if (sectionTarget !== undefined) sectionTarget[spec.key] = converted;
    }
  }
  config.store = selectStore(tree);
  applyPostgresUrl(config.postgres);
  return config;
}

/**
 * A `postgres://` URL fills the connection keys it states (host, port, user, password, db,
 * sslmode); the keys it leaves out keep their values. Parsed here, not by the driver, so the
 * store and its log lines see one set of values and the password never appears in a message.
 */
function applyPostgresUrl(pg: Config['postgres']): void {
  if (pg.url === '') return;
  const problem = (what: string): ConfigKeyError => new ConfigKeyError('postgres.url', what);
  if (!URL.canParse(pg.url)) throw problem('must be a URL like postgres://user:password@host:5432/db');
  const url = new URL(pg.url);
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') throw problem(`must start with postgres:// (got ${url.protocol}//)`);
  const decode = (text: string): string => {
    try {
      return decodeURIComponent(text);
    } catch {
      throw problem('has a badly percent-encoded part');
    }
  };
  if (url.hostname !== '') pg.host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (url.port !== '') pg.port = Number(url.port);
  if (url.username !== '') pg.user = decode(url.username);
  if (url.password !== '') pg.password = decode(url.password);
  const db = decode(url.pathname.replace(/^\//, ''));
  if (db !== '') pg.db = db;
  for (const [name, value] of url.searchParams) {
    if (name !== 'sslmode') throw problem(`parameter ${JSON.stringify(name)} is not supported — only sslmode; set the other keys of [postgres]`);
    if (!(SSL_MODES as readonly string[]).includes(value)) throw problem(`sslmode must be one of ${SSL_MODES.join(', ')} (got ${JSON.stringify(value)})`);
    pg.sslmode = value as SslMode;
  }
}

/**
 * SQLite unless a shared store is asked for: an explicit `store` wins; otherwise `mysql`
 * settings (a `[mysql]` section, a DALGA_MYSQL_* variable) select MySQL, as the original only
 * had MySQL, and `postgres` settings select PostgreSQL. Both at once must say which.
 */
function selectStore(tree: RawTree): StoreKind {
  const explicit = tree[STORE_KEY];
  if (explicit !== undefined && explicit !== null) {
    const name = typeof explicit === 'string' ? explicit.trim().toLowerCase() : '';
    if ((STORE_KINDS as readonly string[]).includes(name)) return name as StoreKind;
    throw new ConfigKeyError(STORE_KEY, `must be "sqlite", "mysql" or "postgres" (got ${describe(explicit)})`);
  }
  if ('mysql' in tree && 'postgres' in tree) {
    throw new ConfigKeyError(STORE_KEY, 'must be set: there are both mysql and postgres settings — set store = "mysql" or store = "postgres"');
  }
  if ('postgres' in tree) return 'postgres';
  return 'mysql' in tree ? 'mysql' : 'sqlite';
}

// ---- conversion ----------------------------------------------------------------------------

function convert(spec: KeySpec, value: unknown): unknown {
  switch (spec.kind) {
    case 'duration':
      return toDuration(spec, value);
    case 'integer':
      return toInteger(spec, value);
    case 'number':
      return toNumber(spec, value);
    case 'boolean':
      return toBoolean(spec, value);
    case 'string':
      return toString(spec, value);
  }
}

function toDuration(spec: KeySpec, value: unknown): number {
  // Go's config takes only strings; a bare number would be ambiguous (seconds? nanoseconds?).
  if (value === 0) return 0;
  if (typeof value !== 'string') throw invalid(spec, 'must be a Go duration string like "60s" or "1m30s"', value);
  try {
    return parseGoDuration(value.trim());
  } catch {
    throw invalid(spec, 'must be a Go duration like "60s" or "1m30s"', value);
  }
}

function toInteger(spec: KeySpec, value: unknown): number {
  const n = typeof value === 'string' && /^\s*[+-]?\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw invalid(spec, 'must be an integer', value);
  return n;
}

function toNumber(spec: KeySpec, value: unknown): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw invalid(spec, 'must be a number', value);
  return n;
}

function toBoolean(spec: KeySpec, value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  const text = typeof value === 'string' ? value.trim().toLowerCase() : undefined;
  if (text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0') return false;
  throw invalid(spec, 'must be true or false', value);
}

function toString(spec: KeySpec, value: unknown): string {
  // Numbers are refused rather than converted: YAML reads `password: 0123` as 123.
  if (typeof value !== 'string') throw invalid(spec, 'must be a string (quote it)', value);
  return value;
}

// Values compared case-insensitively are stored in their canonical case.
const NORMALIZE: Record<string, (value: unknown) => unknown> = {
  'log.level': (value) => (typeof value === 'string' ? value.trim().toLowerCase() : value),
  'postgres.sslmode': (value) => (typeof value === 'string' ? value.trim().toLowerCase() : value),
  'postgres.url': (value) => (typeof value === 'string' ? value.trim() : value),
};

// ---- range checks: each returns the problem, or undefined when the value is fine ---------------

type Check<T> = (value: T) => string | undefined;

// setTimeout cannot wait longer than this; a longer timer would fire at once.
const MAX_TIMER_MS = 2 ** 31 - 1;
const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,52}$/;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

const positiveTimer: Check<number> = (ms) => {
  if (ms <= 0) return 'must be more than 0';
  if (ms > MAX_TIMER_MS) return 'must be less than 24 days';
  return undefined;
};
const positive: Check<number> = (ms) => (ms > 0 ? undefined : 'must be more than 0');
const notNegative: Check<number> = (ms) => (ms >= 0 ? undefined : 'must not be negative');
const atLeastOne: Check<number> = (n) => (n >= 1 ? undefined : 'must be at least 1');
const port: Check<number> = (n) => (n >= 1 && n <= 65535 ? undefined : 'must be a port number between 1 and 65535');
const nonEmpty: Check<string> = (s) => (s.trim() !== '' ? undefined : 'must not be empty');
// Table names are pasted into SQL, with suffixes such as `_instances`; 53 characters leave room
// for an 11-character suffix within MySQL's 64-character limit.
const tableName: Check<string> = (s) =>
  TABLE_NAME.test(s) ? undefined : 'must be letters, digits and underscores, not starting with a digit, at most 53 characters';

const CHECKS: Record<string, Check<never>> = {
  'jobs.randomizationFactor': (f: number) => (f >= 0 && f <= 1 ? undefined : 'must be between 0 and 1'),
  'jobs.retryInterval': positive,
  'jobs.retryMultiplier': (m: number) => (m >= 1 ? undefined : 'must be at least 1'),
  'jobs.retryMaxInterval': positive,
  'jobs.retryStopAfter': notNegative,
  'jobs.scanFrequency': positiveTimer,
  'jobs.maxRunning': atLeastOne,
  'mysql.host': nonEmpty,
  'mysql.port': port,
  'mysql.db': nonEmpty,
  'mysql.table': tableName,
  'mysql.user': nonEmpty,
  'mysql.maxOpenConns': atLeastOne,
  'mysql.transactionIsolationParamName': (s: string) =>
    s === '' || IDENTIFIER.test(s) ? undefined : 'must be a session variable name such as tx_isolation, or empty to detect',
  'mysql.dialTimeout': positiveTimer,
  'mysql.readTimeout': positiveTimer,
  'mysql.writeTimeout': positiveTimer,
  'mysql.instanceTimeout': positiveTimer,
  'postgres.host': nonEmpty,
  'postgres.port': port,
  'postgres.db': nonEmpty,
  'postgres.schema': (s: string) => (IDENTIFIER.test(s) && s.length <= 63 ? undefined : 'must be letters, digits and underscores, not starting with a digit'),
  'postgres.table': tableName,
  'postgres.user': nonEmpty,
  'postgres.sslmode': (s: string) => ((SSL_MODES as readonly string[]).includes(s) ? undefined : `must be one of ${SSL_MODES.join(', ')}`),
  'postgres.maxOpenConns': atLeastOne,
  'postgres.dialTimeout': positiveTimer,
  'postgres.queryTimeout': positiveTimer,
  'postgres.instanceTimeout': positiveTimer,
  'sqlite.path': nonEmpty,
  'sqlite.table': tableName,
  'listen.host': nonEmpty,
  'listen.port': (n: number) => (n >= 0 && n <= 65535 ? undefined : 'must be a port number between 0 and 65535'),
  'listen.shutdownTimeout': positiveTimer,
  'listen.idleTimeout': positiveTimer,
  'listen.readTimeout': positiveTimer,
  'listen.writeTimeout': positiveTimer,
  'endpoint.baseurl': checkBaseUrl,
  'endpoint.timeout': positiveTimer,
  'endpoint.signingKey': signingKeyProblem,
  'endpoint.failureUrl': (s: string) => (s === '' ? undefined : checkBaseUrl(s)),
  'endpoint.failureAfter': (n: number) => (n >= 0 ? undefined : 'must not be negative (0: report only jobs that give up or are disabled)'),
  'history.keep': (n: number) => (n >= 0 ? undefined : 'must not be negative (0 records no history)'),
  'history.maxAge': notNegative,
  'log.level': (s: string) => ((LOG_LEVELS as readonly string[]).includes(s) ? undefined : `must be one of ${LOG_LEVELS.join(', ')}`),
};

function checkBaseUrl(text: string): string | undefined {
  const problem = 'must be an absolute http:// or https:// URL';
  if (!URL.canParse(text)) return problem;
  const url = new URL(text);
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.host !== '' ? undefined : problem;
}

// ---- helpers ---------------------------------------------------------------------------------

function invalid(spec: KeySpec, problem: string, value: unknown): ConfigKeyError {
  // A URL's password (endpoint.baseurl's `user:pass@`) never reaches the message.
  const got = spec.secret ? '' : ` (got ${describe(typeof value === 'string' ? redactUrl(value) : value)})`;
  return new ConfigKeyError(keyPath(spec), `${problem}${got}`);
}

function unknownMessage(name: string, candidates: readonly string[]): string {
  const guess = suggest(name, candidates);
  return guess === undefined ? `unknown config key ${name}` : `unknown config key ${name} (did you mean ${guess}?)`;
}

function putOnce(target: Record<string, unknown>, key: string, value: unknown, path: string): void {
  if (key in target) throw new ConfigKeyError(path, 'given more than once with different letter case');
  target[key] = value;
}

/** A short, one-line rendering of a raw value for error messages. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'bigint') return `${value} (too large)`;
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Date) return 'a date';
  if (typeof value === 'object') return 'a table';
  return typeof value;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) if (typeof child === 'object' && child !== null) deepFreeze(child);
  return Object.freeze(value);
}
