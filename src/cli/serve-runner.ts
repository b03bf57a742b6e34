import process from 'node:process';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { startDaemon } from '../daemon.js';
import { DalgaError, ExitCode, UsageError } from '../errors.js';
import { createLogger, logIsForPerson, type Logger } from '../log.js';
import { limitCompilerMemory } from '../runtime/compiler-memory.js';
import { HEAP_GROWING_PERCENT, limitHeapGrowth } from '../runtime/heap-growth.js';
import { logProcessWarnings } from '../runtime/process-warnings.js';
import { describeStore, openStore } from '../store/open-store.js';

// The heavy half of `serve` and `create-tables`, loaded only by those commands.

export interface ServeFlags {
  config?: string;
  debug?: boolean;
  logLevel?: string;
  listenHost?: string;
  listenPort?: string;
  endpoint?: string;
  sqlite?: string;
  /** Run as Go Dalga's own command line (`dalga -config f`): MySQL unless the config says otherwise. */
  goCommandLine?: boolean;
}

/** Raised on a second SIGINT/SIGTERM while shutting down: main maps it to exit 130. */
export class InterruptedError extends DalgaError {
  override readonly exitCode = ExitCode.interrupted;
}

export async function runServe(flags: ServeFlags): Promise<void> {
  // First: the young generation should not grow while the rest of the daemon loads.
  const compilerFlags = limitCompilerMemory();
  const { config, log, file } = await configure(flags);
  logProcessWarnings(log);
  if (compilerFlags.length > 0) log.debug({ v8Flags: compilerFlags }, 'V8 compiler and young-generation memory limited');
  if (limitHeapGrowth()) log.debug({ heapGrowingPercent: HEAP_GROWING_PERCENT }, 'V8 heap growth between full collections limited');
  // Listening before the daemon starts: a SIGTERM right after the start-up line stops it gracefully.
  const signals = watchStopSignals(log);
  const daemon = await startDaemon(config, log, { configFile: file ?? null, logDeliveriesAtInfo: logIsForPerson() });
  await signals.stopOnSignal(() => daemon.stop());
}

/** Go Dalga's words after `-create-tables`; a person running it reads a sentence, not a log line. */
export const TABLES_CREATED = 'Table created successfully';

export async function runCreateTables(flags: ServeFlags): Promise<void> {
  const { config, log } = await configure(flags);
  const store = await openStore(config, log);
  try {
    await store.createTables();
    log.debug({ store: describeStore(config, store) }, 'tables are ready');
  } finally {
    await store.close();
  }
  // Go's command line gets Go's exact line (scripts may compare it); ours also names the store.
  process.stdout.write(flags.goCommandLine ? `${TABLES_CREATED}\n` : `${TABLES_CREATED}: ${describeStore(config, store)}\n`);
}

async function configure(flags: ServeFlags): Promise<{ config: Config; log: Logger; file: string | undefined }> {
  const warnings: string[] = [];
  const loaded = await loadConfig({
    ...(flags.config ? { configPath: flags.config } : {}),
    cwd: process.cwd(),
    env: process.env,
    flags: toConfigFlags(flags),
    warn: (msg) => warnings.push(msg),
    ...(flags.goCommandLine ? { defaultStore: 'mysql' as const } : {}),
  });
  const level = flags.debug ? 'debug' : loaded.config.log.level;
  const log = await createLogger({ level });
  for (const msg of loaded.warnings.length ? loaded.warnings : warnings) log.warn(msg);
  log.debug({ file: loaded.file ?? '(none: defaults and environment)' }, 'configuration loaded');
  return { config: loaded.config, log, file: loaded.file };
}

function toConfigFlags(flags: ServeFlags): NonNullable<Parameters<typeof loadConfig>[0]['flags']> {
  return {
    listen: {
      host: flags.listenHost,
      port: flags.listenPort === undefined ? undefined : parsePort(flags.listenPort),
    },
    endpoint: { baseurl: flags.endpoint },
    sqlite: { path: flags.sqlite },
    log: { level: flags.logLevel as Config['log']['level'] | undefined },
  } as NonNullable<Parameters<typeof loadConfig>[0]['flags']>;
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) {
    throw new UsageError(`invalid --listen-port ${JSON.stringify(text)} — give a number from 0 to 65535`);
  }
  return port;
}

interface StopSignals {
  /** Resolves after a graceful stop on the first SIGINT/SIGTERM; a second signal aborts it. */
  stopOnSignal(stop: () => Promise<void>): Promise<void>;
}

function watchStopSignals(log: Logger): StopSignals {
  let forced: (error: InterruptedError) => void = () => undefined;
  const secondSignal = new Promise<never>((_, reject) => (forced = reject));
  secondSignal.catch(() => undefined); // observed by stopOnSignal; may come before it runs
  let received = 0;
  const firstSignal = new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      received++;
      if (received === 1) {
        log.info({ signal }, 'stopping gracefully (send again to force)');
        resolve();
        return;
      }
      // Said in the log, in the log's format: nothing else is written to stderr (exit 130).
      log.warn({ signal }, 'signalled again: stopping without waiting for running deliveries');
      forced(new InterruptedError(`${signal} again — stopped without waiting for running deliveries`, { logged: true }));
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  return {
    async stopOnSignal(stop) {
      await firstSignal;
      await Promise.race([stop(), secondSignal]);
    },
  };
}
