import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { createClient, type DalgaClient } from '../client/client.js';
import { SEARCH_PLACES } from '../config/search-places.js';
import { UsageError } from '../errors.js';
import { extraCaOptions } from './extra-ca.js';
import type { TimeMode } from './job-text.js';
import type { OutputContext } from './output.js';

// What every client command shares: the global flags, the process's streams and environment
// (passed in, so tests run commands in-process), and how the daemon is found.

/**
 * listen.* defaults of src/config/schema.ts DEFAULTS (a unit test keeps them equal), repeated so
 * that a client command does not load the configuration modules to learn them.
 */
export const DEFAULT_LISTEN: ListenSettings = { host: '127.0.0.1', port: 34006, token: '' };

/** Where the daemon listens by default: http://127.0.0.1:34006. */
export const DEFAULT_URL = listenURL(DEFAULT_LISTEN.host, DEFAULT_LISTEN.port);

/** Flags defined on the program, visible to every command through optsWithGlobals(). */
export interface GlobalFlags {
  readonly config?: string;
  readonly url?: string;
  readonly token?: string;
  readonly json?: boolean;
  /** false with --no-color. */
  readonly color?: boolean;
  readonly debug?: boolean;
  /** Show times in UTC instead of each job's own location. */
  readonly utc?: boolean;
  /** Show times in this machine's zone instead of each job's own location. */
  readonly local?: boolean;
}

export interface OutStream {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
}

/** The outside world of one CLI run. */
export interface CliIO {
  readonly stdout: OutStream;
  readonly stderr: OutStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  now(): number;
  /** Called before a client command's action runs (main.ts turns SIGINT into exit 130 then). */
  readonly onClientAction?: () => void;
}

export function globalFlags(command: Command): GlobalFlags {
  return command.optsWithGlobals<GlobalFlags>();
}

/** Colour only for a person: a TTY, no NO_COLOR (https://no-color.org), no --no-color. */
export function useColor(flags: GlobalFlags, io: CliIO): boolean {
  if (flags.color === false) return false;
  const noColor = io.env.NO_COLOR;
  if (noColor !== undefined && noColor !== '') return false;
  return io.stdout.isTTY === true;
}

export function outputContext(flags: GlobalFlags, io: CliIO): OutputContext {
  return { now: io.now(), color: useColor(flags, io), timeMode: timeMode(flags) };
}

/** The zone human output shows times in: each job's own location unless --utc or --local. */
export function timeMode(flags: GlobalFlags): TimeMode {
  if (flags.utc && flags.local) throw new UsageError('--utc and --local contradict each other — give one of them');
  if (flags.utc) return 'utc';
  if (flags.local) return 'local';
  return 'job';
}

export interface Target {
  readonly url: string;
  readonly token?: string;
  /** Where the URL came from, for --debug. */
  readonly source: string;
}

/** The parts of loadConfig (src/config/load.ts) discovery needs; injectable for tests. */
export interface ListenSettings {
  readonly host: string;
  readonly port: number;
  /** '' for none; loadConfig has already read `listen.tokenFile` into it. */
  readonly token: string;
}
export type LoadListen = (args: { configPath?: string; cwd: string; env: Readonly<Record<string, string | undefined>> }) => Promise<{
  listen: ListenSettings;
  file?: string;
  warnings: readonly string[];
}>;

/**
 * Where the daemon is: `--url`, else `DALGA_URL`, else the listen address of the configuration
 * (`-c <file>`, `DALGA_CONFIG` or the discovered file, with `DALGA_LISTEN_*`), else the default.
 * The token: `--token`, else `DALGA_TOKEN`, else the configuration's `listen.token` — the latter
 * only when the URL came from that configuration or `-c` was given, so a local token is never
 * sent to a daemon named by `--url` alone.
 */
export async function resolveTarget(flags: GlobalFlags, io: CliIO, loadListen: LoadListen = loadListenFromConfig): Promise<Target> {
  const explicitUrl = nonEmpty(flags.url) ?? nonEmpty(io.env.DALGA_URL);
  const explicitToken = nonEmpty(flags.token) ?? nonEmpty(io.env.DALGA_TOKEN);
  const urlSource = nonEmpty(flags.url) ? '--url' : 'DALGA_URL';
  if (explicitUrl !== undefined && (explicitToken !== undefined || flags.config === undefined)) {
    return { url: explicitUrl, source: urlSource, ...(explicitToken !== undefined ? { token: explicitToken } : {}) };
  }
  const loaded = await loadListen({ ...(flags.config !== undefined ? { configPath: flags.config } : {}), cwd: io.cwd, env: io.env });
  if (flags.debug) for (const w of loaded.warnings) io.stderr.write(`dalga: config warning: ${w}\n`);
  const token = explicitToken ?? nonEmpty(loaded.listen.token);
  const url = explicitUrl ?? listenURL(loaded.listen.host, loaded.listen.port);
  const source = explicitUrl !== undefined ? urlSource : (loaded.file ?? 'defaults');
  return { url, source, ...(token !== undefined ? { token } : {}) };
}

/** The URL a client uses for a listen address: wildcard addresses mean "this machine". */
export function listenURL(host: string, port: number): string {
  const h = host === '' || host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${h.includes(':') ? `[${h}]` : h}:${port}`;
}

/** The files configuration discovery looks for in the working directory. */
export const CONFIG_FILE_NAMES = SEARCH_PLACES;

/** Whether loading the configuration could change the listen address or token. */
export function mayHaveConfig(args: { configPath?: string; cwd: string; env: Readonly<Record<string, string | undefined>> }): boolean {
  if (args.configPath !== undefined || nonEmpty(args.env.DALGA_CONFIG) !== undefined) return true;
  if (Object.keys(args.env).some((k) => k.toUpperCase().startsWith('DALGA_LISTEN_'))) return true;
  return CONFIG_FILE_NAMES.some((name) => {
    const file = join(args.cwd, name);
    if (!existsSync(file)) return false;
    if (name !== 'package.json') return true;
    // package.json configures dalga only through a "dalga" key.
    try {
      const pkg: unknown = JSON.parse(readFileSync(file, 'utf8'));
      return typeof pkg === 'object' && pkg !== null && 'dalga' in pkg;
    } catch {
      return true; // let the loader report it
    }
  });
}

// The configuration loader (cosmiconfig, TOML, YAML) is only loaded when flags and environment
// do not already say where the daemon is, and there is a configuration to read.
const loadListenFromConfig: LoadListen = async (args) => {
  if (!mayHaveConfig(args)) return { listen: DEFAULT_LISTEN, warnings: [] };
  const { loadConfig } = await import('../config/load.js');
  const { config, file, warnings } = await loadConfig(args);
  return { listen: config.listen, ...(file ? { file } : {}), warnings: warnings ?? [] };
};

export async function connect(flags: GlobalFlags, io: CliIO): Promise<DalgaClient> {
  const target = await resolveTarget(flags, io);
  const tls = /^https:/i.test(target.url.trim()) ? await extraCaOptions(io.env, (line) => io.stderr.write(`${line}\n`)) : {};
  const client = createClient({ baseURL: target.url, ...(target.token !== undefined ? { token: target.token } : {}), ...tls });
  // client.baseURL, not target.url: it leaves out any user:password of the URL.
  if (flags.debug) io.stderr.write(`dalga: daemon ${client.baseURL} (from ${target.source})${target.token ? ', with token' : ''}\n`);
  return client;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** The API's largest page (spec §3): `limit` above it is refused with 400. */
export const MAX_LIMIT = 1000;

/** `--limit`: a whole number from 1 to 1000, checked here so 0 and 5000 get the same words. */
export function parseLimit(text: string, what: 'jobs' | 'attempts' = 'jobs'): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > MAX_LIMIT) {
    throw new UsageError(`invalid --limit "${text}" — give a whole number of ${what} from 1 to ${MAX_LIMIT}`);
  }
  return n;
}

/**
 * `--refresh`: seconds (`2`, `0.5`) or a Go duration (`500ms`, `2s`); at least 100 ms. Async
 * because the duration parser is loaded only when the flag is given.
 */
export async function parseRefresh(text: string): Promise<number> {
  let ms: number;
  try {
    if (/^\d+(\.\d+)?$/.test(text)) ms = Number(text) * 1000;
    else ms = (await import('../schedule/duration.js')).parseGoDuration(text);
  } catch {
    throw new UsageError(`invalid --refresh "${text}" — give seconds or a duration like 500ms or 2s`);
  }
  if (!(ms >= 100)) throw new UsageError(`--refresh ${text} is too short — give at least 100ms`);
  return ms;
}
