import process from 'node:process';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { startDaemon } from '../daemon.js';
import { DalgaError, ExitCode, UsageError } from '../errors.js';
import { createLogger, type Logger } from '../log.js';
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
}

/** Raised on a second SIGINT/SIGTERM while shutting down: main maps it to exit 130. */
export class InterruptedError extends DalgaError {
  override readonly exitCode = ExitCode.interrupted;
}

export async function runServe(flags: ServeFlags): Promise<void> {
  const { config, log } = await configure(flags);
  logProcessWarnings(log);
  if (limitHeapGrowth()) log.debug({ heapGrowingPercent: HEAP_GROWING_PERCENT }, 'V8 heap growth between full collections limited');
  const daemon = await startDaemon(config, log);
  await waitForSignal(log, () => daemon.stop());
}

export async function runCreateTables(flags: ServeFlags): Promise<void> {
  const { config, log } = await configure(flags);
  const store = await openStore(config, log);
  try {
    await store.createTables();
    log.info({ store: describeStore(config, store) }, 'tables are ready');
  } finally {
    await store.close();
  }
}

async function configure(flags: ServeFlags): Promise<{ config: Config; log: Logger }> {
  const warnings: string[] = [];
  const loaded = await loadConfig({
    ...(flags.config ? { configPath: flags.config } : {}),
    cwd: process.cwd(),
    env: process.env,
    flags: toConfigFlags(flags),
    warn: (msg) => warnings.push(msg),
  });
  const level = flags.debug ? 'debug' : loaded.config.log.level;
  const log = await createLogger({ level });
  for (const msg of loaded.warnings.length ? loaded.warnings : warnings) log.warn(msg);
  log.debug({ file: loaded.file ?? '(none: defaults and environment)' }, 'configuration loaded');
  return { config: loaded.config, log };
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

/** Resolves after a graceful stop on the first SIGINT/SIGTERM; a second signal aborts it. */
function waitForSignal(log: Logger, stop: () => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    let signalled = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (signalled) {
        reject(new InterruptedError(`${signal} again — stopped without waiting for running deliveries`));
        return;
      }
      signalled = true;
      log.info({ signal }, 'stopping gracefully (send again to force)');
      stop().then(resolve, reject);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
