import { silentLogger, type Logger } from '../../src/log.js';
import { createDelivery } from '../../src/delivery/delivery.js';
import { createMessageSigner } from '../../src/delivery/signing.js';
import { FailureReports } from '../../src/scheduler/failure-reports.js';
import { RunHistory } from '../../src/scheduler/run-history.js';
import { Scheduler, type AttemptEvent } from '../../src/scheduler/scheduler.js';
import type { OutcomeConfig } from '../../src/schedule/outcome.js';
import { createApiHandler } from '../../src/server/api.js';
import { startHttpServer } from '../../src/server/http-server.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/store.js';
import { FakeClock } from './fake-clock.js';
import { startEndpoint, type TestEndpoint } from './endpoint.js';

export interface HarnessOptions {
  start?: string | number;
  fixedIntervals?: boolean;
  randomizationFactor?: number;
  retry?: Partial<OutcomeConfig['retry']>;
  maxRunning?: number;
  endpointTimeoutMs?: number;
  random?: () => number;
  store?: Store;
  claimAheadMs?: number;
  /** history.keep / history.maxAge (ms); default 100 runs, 7 days. */
  historyKeep?: number;
  historyMaxAgeMs?: number;
  /** endpoint.failureUrl / failureAfter / signingKey for failure reports. */
  failureUrl?: string;
  failureAfter?: number;
  signingKey?: string;
  /** The scheduler's logger (default: silent). */
  schedulerLog?: Logger;
}

export interface Harness {
  clock: FakeClock;
  store: Store;
  /** The run history's writer: await history.flush() before reading runs. */
  history: RunHistory;
  /** Failure reports, when `failureUrl` is given: await failures.idle() before checking them. */
  failures?: FailureReports;
  scheduler: Scheduler;
  endpoint: TestEndpoint;
  apiUrl: string;
  attempts: AttemptEvent[];
  instanceId: number;
  /** Call the API: method, `/jobs/...` path with query. Answers status and parsed body. */
  api(method: string, path: string, body?: string): Promise<{ status: number; json: any; text: string }>;
  close(): Promise<void>;
}

/**
 * The daemon's parts wired as `startDaemon` does, on an in-memory SQLite store, a fake clock,
 * a real loopback endpoint and the real HTTP API on a free port. Tests move the clock and call
 * `scheduler.runOnce()`; nothing sleeps.
 */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const clock = new FakeClock(options.start ?? '2020-01-13T22:09:00Z');
  const store = options.store ?? (await openSqliteStore({ path: ':memory:', table: 'dalga' }));
  await store.createTables();
  const instanceId = 4242;
  await store.heartbeat(instanceId, clock.now());
  const endpoint = await startEndpoint();
  const attempts: AttemptEvent[] = [];
  const delivery = createDelivery({ baseUrl: endpoint.baseUrl, timeoutMs: options.endpointTimeoutMs ?? 5000, maxConnections: 10 });
  const scheduling = { fixedIntervals: options.fixedIntervals ?? false, randomizationFactor: options.randomizationFactor ?? 0 };
  const history = new RunHistory({ store, clock, log: silentLogger, keep: options.historyKeep ?? 100, maxAgeMs: options.historyMaxAgeMs ?? 7 * 24 * 3600_000 });
  const retry = { intervalMs: 60_000, multiplier: 1, maxIntervalMs: 60_000, stopAfterMs: 0, ...options.retry };
  const failures =
    options.failureUrl === undefined
      ? undefined
      : new FailureReports({
          store,
          clock,
          log: silentLogger,
          url: options.failureUrl,
          failureAfter: options.failureAfter ?? 0,
          timeoutMs: 5000,
          retry,
          instanceId,
          historyFlushed: () => history.flush(),
          ...(options.signingKey ? { sign: createMessageSigner(options.signingKey, () => clock.now()) } : {}),
        });
  const scheduler = new Scheduler({
    store,
    history,
    ...(failures ? { failures } : {}),
    delivery,
    clock,
    instanceId,
    log: options.schedulerLog ?? silentLogger,
    maxRunning: options.maxRunning ?? 100,
    scanFrequencyMs: 1000,
    ...(options.claimAheadMs ? { claimAheadMs: options.claimAheadMs } : {}),
    outcome: { scheduling, retry },
    ...(options.random ? { random: options.random } : {}),
    onAttempt: (e) => attempts.push(e),
  });
  const handler = createApiHandler({ store, clock, instanceId, scheduling, log: silentLogger, onScheduled: (t) => scheduler.notify(t), onPaused: (p) => scheduler.setPaused(p) });
  const http = await startHttpServer(handler, { host: '127.0.0.1', port: 0, idleTimeout: 5000, readTimeout: 5000, writeTimeout: 5000 });
  return {
    clock,
    store,
    history,
    ...(failures ? { failures } : {}),
    scheduler,
    endpoint,
    apiUrl: http.url,
    attempts,
    instanceId,
    async api(method, path, body) {
      const res = await fetch(http.url + path, {
        method,
        ...(body === undefined ? {} : { body, headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
      });
      const text = await res.text();
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      return { status: res.status, json, text };
    },
    async close() {
      await scheduler.stop(1000);
      await history.flush();
      failures?.stop();
      await http.close(1000);
      await delivery.close();
      await endpoint.close();
      if (!options.store) await store.close();
    },
  };
}
