import type { Config } from '../../src/config/schema.js';
import { DEFAULTS } from '../../src/config/schema.js';
import { startDaemon, type Daemon } from '../../src/daemon.js';
import { StoreUnavailableError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/store.js';
import { FakeClock } from '../support/fake-clock.js';

// Shared by the metrics and health tests: the real daemon wiring (startDaemon) in this process,
// on a fake clock and an in-memory SQLite store that can be cut off, method by method.

export interface OpsDaemon {
  daemon: Daemon;
  clock: FakeClock;
  /** The real store behind the cuttable one. */
  real: Store;
  /** Make store methods fail with StoreUnavailableError: `'*'` for all of them. */
  cut(...methods: (keyof Store | '*')[]): void;
  restore(): void;
  get(path: string, headers?: Record<string, string>): Promise<{ status: number; text: string; type: string | null }>;
  put(path: string): Promise<number>;
  close(): Promise<void>;
}

export type ConfigChanges = (config: Config) => void;

export async function startOpsDaemon(change: ConfigChanges = () => undefined): Promise<OpsDaemon> {
  const config = structuredClone(DEFAULTS) as Config;
  config.listen.port = 0;
  change(config);
  const clock = new FakeClock('2020-01-13T22:09:00Z');
  const real = await openSqliteStore({ path: ':memory:', table: 'dalga' });
  const cutMethods = new Set<string>();
  const store = cuttable(real, cutMethods);
  const daemon = await startDaemon(config, silentLogger, { clock, store, instanceId: 777 });
  const headers: Record<string, string> = config.listen.token ? { authorization: `Bearer ${config.listen.token}` } : {};
  return {
    daemon,
    clock,
    real,
    cut: (...methods) => methods.forEach((m) => cutMethods.add(m)),
    restore: () => cutMethods.clear(),
    async get(path, extra) {
      const res = await fetch(daemon.url + path, { headers: extra ?? headers });
      return { status: res.status, text: await res.text(), type: res.headers.get('content-type') };
    },
    async put(path) {
      const res = await fetch(daemon.url + path, { method: 'PUT', headers });
      await res.text();
      return res.status;
    },
    async close() {
      cutMethods.clear();
      await daemon.stop();
      await real.close();
    },
  };
}

function cuttable(real: Store, cut: ReadonlySet<string>): Store {
  return new Proxy(real, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (cut.has('*') || cut.has(String(prop))) {
          return Promise.reject(new StoreUnavailableError('database unavailable — connection refused (cut by the test)'));
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

/** Parses Prometheus text into `name{labels}` → value (label order as exposed). */
export function parseMetrics(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}
