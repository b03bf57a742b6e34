// Reading configuration files: TOML (the original's format), YAML and JSON, chosen by extension,
// and discovery of `dalga.toml` & co. in the working directory with cosmiconfig. Every failure is
// a one-line ConfigError naming the file (and the line and column for syntax errors).
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import type * as IarnaToml from '@iarna/toml';
import type * as Cosmiconfig from 'cosmiconfig';
import type { Loader } from 'cosmiconfig';
import { CORE_SCHEMA, YAMLException, load as loadYamlText } from 'js-yaml';
import { ConfigError } from '../errors.js';
import { isPlainObject } from './schema.js';
import { SEARCH_PLACES } from './search-places.js';
import { requireCjs } from '../runtime/require-cjs.js';

const TOML = requireCjs('@iarna/toml') as typeof IarnaToml;
const { cosmiconfig } = requireCjs('cosmiconfig') as typeof Cosmiconfig;

export { SEARCH_PLACES };

export interface FoundConfig {
  file: string;
  /** Parsed contents, not yet validated; undefined for an empty file. */
  raw: unknown;
}

type Format = 'toml' | 'yaml' | 'json';

/** Loads a file named by the user (`-c`, DALGA_CONFIG); the format follows the extension. */
export async function readConfigFile(file: string): Promise<FoundConfig> {
  const format = formatOf(file);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read config file ${file}: ${ioReason(error)}`);
  }
  return { file, raw: parseConfigText(file, text, format) };
}

/**
 * Finds the config file in `cwd` and parses it. Never climbs to parent directories: a file
 * there may belong to another project, and picking it silently would be a surprise.
 */
export async function searchConfig(cwd: string, warn: (msg: string) => void = () => {}): Promise<FoundConfig | undefined> {
  const explorer = cosmiconfig('dalga', {
    searchPlaces: [...SEARCH_PLACES],
    searchStrategy: 'none',
    // An empty dalga.toml is still the config file: all defaults.
    ignoreEmptySearchPlaces: false,
    cache: false,
    loaders: { '.toml': loader('toml'), '.yaml': loader('yaml'), '.yml': loader('yaml'), '.json': loader('json'), noExt: loader('yaml') },
  });
  const result = await explorer.search(cwd);
  if (result === null) return undefined;
  await warnAboutOthers(cwd, result.filepath, warn);
  return { file: result.filepath, raw: result.config };
}

export function parseConfigText(file: string, text: string, format: Format): unknown {
  const source = text.replace(/^\uFEFF/, '');
  const raw = parseByFormat(file, source, format);
  if (raw !== undefined && raw !== null && !isPlainObject(raw)) {
    throw new ConfigError(`invalid config file ${file}: expected a table of sections at the top level`);
  }
  return raw;
}

function parseByFormat(file: string, text: string, format: Format): unknown {
  try {
    if (format === 'toml') return TOML.parse(text);
    if (format === 'yaml') return loadYamlText(text, { schema: CORE_SCHEMA, filename: file });
    return text.trim() === '' ? undefined : JSON.parse(text);
  } catch (error) {
    throw syntaxError(file, text, error);
  }
}

function syntaxError(file: string, text: string, error: unknown): ConfigError {
  const where = position(text, error);
  const at = where === undefined ? '' : ` at line ${where.line}, column ${where.column}`;
  return new ConfigError(`cannot parse config file ${file}${at}: ${reasonOf(error)}`);
}

/** 1-based line and column of a parser error, from whichever shape the parser reports. */
function position(text: string, error: unknown): { line: number; column: number } | undefined {
  if (error instanceof YAMLException) return { line: error.mark.line + 1, column: error.mark.column + 1 };
  const e = error as { line?: unknown; col?: unknown; message?: unknown };
  if (typeof e.line === 'number' && typeof e.col === 'number') return { line: e.line + 1, column: e.col + 1 };
  // JSON.parse only gives an offset.
  const offset = typeof e.message === 'string' ? /at position (\d+)/.exec(e.message)?.[1] : undefined;
  if (offset === undefined) return undefined;
  const before = text.slice(0, Number(offset)).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}

/** The parser's reason without its position or source excerpt, on one line. */
function reasonOf(error: unknown): string {
  if (error instanceof YAMLException) return error.reason;
  const message = error instanceof Error ? error.message : String(error);
  const firstLine = message.split('\n')[0] ?? message;
  return firstLine
    .replace(/ at row \d+, col \d+, pos \d+:?$/, '')
    .replace(/ in JSON at position \d+.*$/, '')
    .trim();
}

function formatOf(file: string): Format {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.toml') return 'toml';
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  if (ext === '.json') return 'json';
  // `.dalgarc` has no extension; like cosmiconfig, read it as YAML (which JSON also is).
  if (ext === '') return 'yaml';
  throw new ConfigError(`cannot load config file ${file}: unknown extension ${ext} (use .toml, .yaml, .yml or .json)`);
}

function loader(format: Format): Loader {
  return (file: string, content: string) => parseConfigText(file, content, format);
}

function ioReason(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return error instanceof Error ? error.message.split('\n')[0] ?? 'unreadable' : 'unreadable';
}

/** Two config files side by side is almost always a mistake; say which one wins. */
async function warnAboutOthers(cwd: string, chosen: string, warn: (msg: string) => void): Promise<void> {
  const others: string[] = [];
  for (const place of SEARCH_PLACES) {
    const file = path.join(cwd, place);
    // package.json without a `dalga` key is not a config file; it is never reported.
    if (place === 'package.json' || file === chosen) continue;
    if (await exists(file)) others.push(place);
  }
  if (others.length > 0) warn(`several config files in ${cwd}: using ${path.basename(chosen)}, ignoring ${others.join(', ')}`);
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}
