// Builds the daemon's configuration from its layers, in one place:
// DEFAULTS < config file < DALGA_* environment < command-line flags.
// The environment and the working directory are parameters, so tests need no process state.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../errors.js';
import { envLayer } from './env.js';
import type { FoundConfig } from './file.js';
import { ALL_PATHS, KEYS, STORE_KEY, keyPath } from './keys.js';
import { SEARCH_PLACES } from './search-places.js';
import { type Config, ConfigKeyError, type DeepPartial, type RawTree, type StoreKind, canonicalize, isPlainObject, validateConfig } from './schema.js';

export type ConfigSource = 'default' | 'file' | 'env' | 'flag';

export interface LoadConfigOptions {
  /** `-c file`; relative to `cwd`. Without it, DALGA_CONFIG, then discovery in `cwd`. */
  configPath?: string;
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  /** Values from command-line flags; undefined means "not given" and never erases a file value. */
  flags?: DeepPartial<Config>;
  warn?: (msg: string) => void;
  /**
   * The store when no layer names one or gives MySQL settings (default SQLite). Go Dalga's own
   * command line asks for MySQL: the original had no other store.
   */
  defaultStore?: StoreKind;
}

export interface LoadedConfig {
  config: Config;
  /** The config file used, absolute; undefined when there is none. */
  file: string | undefined;
  warnings: string[];
  /** Where each value came from, by dotted path (`jobs.maxRunning`, `store`), for `serve --debug`. */
  sources: Record<string, ConfigSource>;
}

export async function loadConfig(options: LoadConfigOptions): Promise<LoadedConfig> {
  const warnings: string[] = [];
  const warn = (msg: string): void => {
    warnings.push(msg);
    options.warn?.(msg);
  };
  const found = await findAndRead(options, warn);
  const envNames: Record<string, string> = {};
  const origin = (source: ConfigSource, key: string): string =>
    source === 'file' ? `in ${found?.file ?? 'the config file'}` : source === 'env' ? `from ${envNames[key] ?? 'the environment'}` : 'from a command-line flag';
  const layers: Array<[ConfigSource, RawTree]> = [
    ['file', explained(() => canonicalize(found?.raw, warn), (key) => origin('file', key))],
    ['env', envLayer(options.env, warn, envNames)],
    ['flag', explained(() => canonicalize(flagsLayer(options.flags), warn), (key) => origin('flag', key))],
  ];
  const config = explained(
    () => validateConfig(withDefaultStore(mergeLayers(layers.map(([, tree]) => tree)), options.defaultStore), warn),
    (key) => origin(layerOf(layers, key) ?? 'file', key),
  );
  const sources = describeSources(layers, config);
  await resolveToken(config, options.cwd, sources);
  config.sqlite.path = resolveSqlitePath(config.sqlite.path, options.cwd);
  return { config, file: found?.file, warnings, sources };
}

/** The config file discovery would use in `cwd` (for the CLI to find the local daemon). */
export async function findConfigFile(cwd: string): Promise<string | undefined> {
  if (!(await mayHoldConfig(cwd))) return undefined;
  const { searchConfig } = await import('./file.js');
  return (await searchConfig(cwd))?.file;
}

async function findAndRead(options: LoadConfigOptions, warn: (msg: string) => void): Promise<FoundConfig | undefined> {
  const given = options.configPath ?? nonEmpty(options.env['DALGA_CONFIG']);
  if (given !== undefined) {
    const { readConfigFile } = await import('./file.js');
    return readConfigFile(path.resolve(options.cwd, given));
  }
  if (!(await mayHoldConfig(options.cwd))) return undefined;
  const { searchConfig } = await import('./file.js');
  return searchConfig(options.cwd, warn);
}

/**
 * Whether discovery in `cwd` could find a file: the readers (cosmiconfig, TOML, YAML; ~1 MB of
 * a daemon's memory) load only then. A package.json counts only with a `dalga` key, or when it
 * does not parse (discovery then reports it).
 */
async function mayHoldConfig(cwd: string): Promise<boolean> {
  for (const place of SEARCH_PLACES) {
    let text: string;
    try {
      text = await readFile(path.join(cwd, place), 'utf8');
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ENOENT') continue;
      return true;
    }
    if (place !== 'package.json') return true;
    try {
      const pkg = JSON.parse(text) as unknown;
      if (isPlainObject(pkg) && Object.hasOwn(pkg, 'dalga')) return true;
    } catch {
      return true;
    }
  }
  return false;
}

/**
 * Flags arrive typed (durations in milliseconds). Unset ones are dropped, and durations are
 * written as Go duration strings so that one validator checks every layer the same way.
 */
function flagsLayer(flags: DeepPartial<Config> | undefined): RawTree {
  const tree: RawTree = {};
  if (flags === undefined) return tree;
  const given = flags as Record<string, unknown>;
  if (given[STORE_KEY] !== undefined) tree[STORE_KEY] = given[STORE_KEY];
  for (const spec of KEYS) {
    const section = given[spec.section];
    const value = isPlainObject(section) ? section[spec.key] : undefined;
    if (value === undefined) continue;
    const target = (tree[spec.section] ??= {}) as Record<string, unknown>;
    target[spec.key] = spec.kind === 'duration' && typeof value === 'number' ? `${value}ms` : value;
  }
  return tree;
}

/** Later layers win key by key; a section present in any layer stays present (store selection). */
function mergeLayers(trees: readonly RawTree[]): RawTree {
  const merged: RawTree = {};
  for (const tree of trees) {
    for (const [name, value] of Object.entries(tree)) {
      if (name === STORE_KEY) {
        if (value !== undefined && value !== null) merged[STORE_KEY] = value;
        continue;
      }
      merged[name] = { ...(isPlainObject(merged[name]) ? merged[name] : {}), ...(isPlainObject(value) ? value : {}) };
    }
  }
  return merged;
}

function withDefaultStore(tree: RawTree, store: StoreKind | undefined): RawTree {
  if (store === undefined || (tree[STORE_KEY] !== undefined && tree[STORE_KEY] !== null) || 'mysql' in tree) return tree;
  return { ...tree, [STORE_KEY]: store };
}

/** Runs `step`; a ConfigKeyError from it gains where the offending value came from. */
function explained<T>(step: () => T, originOf: (key: string) => string): T {
  try {
    return step();
  } catch (error) {
    if (!(error instanceof ConfigKeyError)) throw error;
    throw new ConfigKeyError(error.key, `${error.problem} — ${originOf(error.key)}`);
  }
}

/** The last (winning) layer that sets a dotted path, a section name or `store`. */
function layerOf(layers: ReadonlyArray<[ConfigSource, RawTree]>, key: string): ConfigSource | undefined {
  const [section, name] = key.split('.');
  let found: ConfigSource | undefined;
  for (const [source, tree] of layers) {
    if (section === undefined || !(section in tree)) continue;
    const value = tree[section];
    if (name === undefined || (isPlainObject(value) && value[name] !== undefined)) found = source;
  }
  return found;
}

function describeSources(layers: ReadonlyArray<[ConfigSource, RawTree]>, config: Config): Record<string, ConfigSource> {
  const sources: Record<string, ConfigSource> = Object.fromEntries(ALL_PATHS.map((p) => [p, 'default' as ConfigSource]));
  let storeSource: ConfigSource = 'default';
  let mysqlSource: ConfigSource | undefined;
  let postgresSource: ConfigSource | undefined;
  for (const [source, tree] of layers) {
    for (const spec of KEYS) {
      const section = tree[spec.section];
      if (isPlainObject(section) && section[spec.key] !== undefined) sources[keyPath(spec)] = source;
    }
    if (tree[STORE_KEY] !== undefined && tree[STORE_KEY] !== null) storeSource = source;
    if ('mysql' in tree) mysqlSource = source;
    if ('postgres' in tree) postgresSource = source;
  }
  // A store chosen by the presence of its settings comes from where those settings were.
  const implied = config.store === 'mysql' ? mysqlSource : config.store === 'postgres' ? postgresSource : undefined;
  sources[STORE_KEY] = storeSource === 'default' && implied ? implied : storeSource;
  return sources;
}

/** `listen.tokenFile` supplies the token when `listen.token` is not set; an empty file is refused. */
async function resolveToken(config: Config, cwd: string, sources: Record<string, ConfigSource>): Promise<void> {
  const { token, tokenFile } = config.listen;
  if (token !== '' || tokenFile === '') return;
  const file = path.resolve(cwd, tokenFile);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : 'unreadable';
    throw new ConfigError(`invalid config listen.tokenFile: cannot read ${file}: ${reason}`);
  }
  const read = text.trim();
  // An empty token would silently turn authentication off.
  if (read === '') throw new ConfigError(`invalid config listen.tokenFile: ${file} is empty`);
  config.listen.token = read;
  sources['listen.token'] = sources['listen.tokenFile'] ?? 'default';
}

/** Relative SQLite paths are taken from the working directory, made absolute so later chdirs do not matter. */
function resolveSqlitePath(file: string, cwd: string): string {
  if (file === ':memory:' || file.startsWith('file:')) return file;
  return path.resolve(cwd, file);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
