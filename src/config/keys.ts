// The table of configuration keys: which sections exist, what kind of value each key takes, and
// how a user's spelling (any case, `[Jobs]`, `maxrunning`) maps to the canonical name. Loading
// (file, environment, flags) and validation all go through this one table.

export type KeyKind = 'duration' | 'integer' | 'number' | 'boolean' | 'string';

export interface KeySpec {
  readonly section: string;
  readonly key: string;
  readonly kind: KeyKind;
  /** Values that must never appear in an error message or a log line. */
  readonly secret?: boolean;
}

const SPEC: Record<string, Record<string, KeyKind>> = {
  jobs: {
    randomizationFactor: 'number',
    retryInterval: 'duration',
    retryMultiplier: 'number',
    retryMaxInterval: 'duration',
    retryStopAfter: 'duration',
    fixedIntervals: 'boolean',
    scanFrequency: 'duration',
    maxRunning: 'integer',
  },
  mysql: {
    host: 'string',
    port: 'integer',
    db: 'string',
    table: 'string',
    user: 'string',
    password: 'string',
    maxOpenConns: 'integer',
    skipLocked: 'boolean',
    transactionIsolationParamName: 'string',
    dialTimeout: 'duration',
    readTimeout: 'duration',
    writeTimeout: 'duration',
    instanceTimeout: 'duration',
  },
  postgres: {
    url: 'string',
    host: 'string',
    port: 'integer',
    db: 'string',
    schema: 'string',
    table: 'string',
    user: 'string',
    password: 'string',
    sslmode: 'string',
    maxOpenConns: 'integer',
    dialTimeout: 'duration',
    queryTimeout: 'duration',
    instanceTimeout: 'duration',
  },
  sqlite: { path: 'string', table: 'string' },
  listen: {
    host: 'string',
    port: 'integer',
    shutdownTimeout: 'duration',
    idleTimeout: 'duration',
    readTimeout: 'duration',
    writeTimeout: 'duration',
    token: 'string',
    tokenFile: 'string',
  },
  endpoint: { baseurl: 'string', timeout: 'duration', signingKey: 'string', failureUrl: 'string', failureAfter: 'integer' },
  history: { keep: 'integer', maxAge: 'duration' },
  log: { level: 'string' },
};

const SECRETS = new Set(['mysql.password', 'postgres.password', 'postgres.url', 'listen.token', 'endpoint.signingKey']);

/** The one top-level key that is not a section. */
export const STORE_KEY = 'store';

export const SECTIONS: readonly string[] = Object.keys(SPEC);

export const KEYS: readonly KeySpec[] = SECTIONS.flatMap((section) =>
  Object.entries(SPEC[section] ?? {}).map(([key, kind]) => ({
    section,
    key,
    kind,
    ...(SECRETS.has(`${section}.${key}`) ? { secret: true } : {}),
  })),
);

const sectionByLower = new Map(SECTIONS.map((s) => [s.toLowerCase(), s]));
const keyByLower = new Map(KEYS.map((k) => [`${k.section}.${k.key.toLowerCase()}`, k]));

/** Canonical section name for any spelling, or undefined. */
export function lookupSection(name: string): string | undefined {
  return sectionByLower.get(name.toLowerCase());
}

/** Key spec for a canonical section and any spelling of the key, or undefined. */
export function lookupKey(section: string, name: string): KeySpec | undefined {
  return keyByLower.get(`${section}.${name.toLowerCase()}`);
}

export function keyPath(spec: KeySpec): string {
  return `${spec.section}.${spec.key}`;
}

/** All dotted paths (`jobs.maxRunning`) plus `store`, for suggestions and source maps. */
export const ALL_PATHS: readonly string[] = [STORE_KEY, ...KEYS.map(keyPath)];

/**
 * The candidate closest to `name` (case-insensitive edit distance), if it is close enough to be
 * a likely typo: at most 2 edits, or a third of the name's length for long names.
 */
export function suggest(name: string, candidates: readonly string[]): string | undefined {
  const wanted = name.toLowerCase();
  const limit = Math.max(2, Math.floor(wanted.length / 3));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    const d = editDistance(wanted, candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** Levenshtein distance, two rows. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
