import { systemClock, type Clock } from './clock.js';
import type { Config } from './config/schema.js';
import { redactUrl } from './config/redact.js';
import { createDelivery } from './delivery/delivery.js';
import { createMessageSigner, createSigner } from './delivery/signing.js';
import type { Logger } from './log.js';
import type { SchedulingConfig } from './schedule/occurrence.js';
import type { RetryConfig } from './schedule/retry.js';
import { type AttemptLogOptions, logAttempt } from './observability/attempt.js';
import { targetUrl } from './delivery/target-url.js';
import { createMetrics } from './observability/metrics.js';
import { type StoreErrorSource } from './observability/metrics.js';
import { StoreWriteError } from './errors.js';
import { packageVersion } from './observability/version.js';
import { Heartbeat, newInstanceId } from './scheduler/instance.js';
import { FailureReports } from './scheduler/failure-reports.js';
import { RunHistory } from './scheduler/run-history.js';
import { Scheduler } from './scheduler/scheduler.js';
import { ServerClock } from './scheduler/server-clock.js';
import { createApiHandler } from './server/api.js';
import { exposureWarning } from './server/auth.js';
import { createOpsRoutes } from './server/health.js';
import { CRON_REPAIR_EVERY_MS, repairParkedCronJobs } from './scheduler/cron-repair.js';
import { startHttpServer } from './server/http-server.js';
import { describeStore, openStore } from './store/open-store.js';
import type { Store } from './store/store.js';

export interface DaemonDeps {
  /** Injected clock (tests); default: the database server's clock. */
  clock?: Clock;
  /** Injected store (tests); default: opened from the config. */
  store?: Store;
  random?: () => number;
  instanceId?: number;
  /** The configuration file used (null: none), named in the start-up line. */
  configFile?: string | null;
  /** Log successful deliveries at info (a person watching a terminal) instead of debug. */
  logDeliveriesAtInfo?: boolean;
}

export interface Daemon {
  readonly url: string;
  readonly instanceId: number;
  readonly store: Store;
  readonly scheduler: Scheduler;
  /** Graceful stop: stop accepting and claiming, let deliveries finish, release claims, remove the instance row. */
  stop(): Promise<void>;
}

const CLOCK_SYNC_EVERY_MS = 60_000;
const HEARTBEAT_EVERY_MS = 1000;
/** More than a claim's round trip and commit takes on each store, so jobs fire on their instant. */
const CLAIM_AHEAD_MS = { sqlite: 10, mysql: 50, postgres: 50 } as const;

/** Wires store, scheduler, heartbeat and HTTP API, and starts them in that order. */
export async function startDaemon(config: Config, log: Logger, deps: DaemonDeps = {}): Promise<Daemon> {
  const store = deps.store ?? (await openStore(config, log));
  const ownsStore = !deps.store;
  try {
    await store.createTables();
    return await startOnStore(config, log, deps, store, ownsStore);
  } catch (err) {
    if (ownsStore) await store.close().catch(() => undefined);
    throw err;
  }
}

async function startOnStore(config: Config, log: Logger, deps: DaemonDeps, store: Store, ownsStore: boolean): Promise<Daemon> {
  // SQLite's processes share this host's wall clock: reading it directly keeps them agreeing
  // (a step of it is handled by the heartbeat). A database server's clock is sampled.
  const serverClock = deps.clock || store.kind === 'sqlite' ? undefined : new ServerClock(store);
  await serverClock?.sync();
  const clock = deps.clock ?? serverClock ?? systemClock;
  const instanceId = deps.instanceId ?? newInstanceId();
  const ilog = log.child({ instance: instanceId });

  // The scheduler is created below; the running gauge reads it only at scrape time.
  const metrics = createMetrics({ instanceId, version: packageVersion(), store, clock, running: () => scheduler.running });
  // A refused write since the last successful heartbeat, for /readyz: a full disk or a read-only
  // file fails every write (the heartbeat's too) while the readiness probe, a read, succeeds.
  let storeFailure: string | undefined;
  const storeFailed = (source: StoreErrorSource) => (err: unknown) => {
    metrics.observeStoreError(source, err);
    if (err instanceof StoreWriteError) storeFailure = err.message;
  };
  const heartbeat = new Heartbeat({
    store,
    clock,
    instanceId,
    log: ilog,
    instanceTimeoutMs: config.store === 'postgres' ? config.postgres.instanceTimeout : config.mysql.instanceTimeout,
    intervalMs: HEARTBEAT_EVERY_MS,
    onStoreError: storeFailed('heartbeat'),
    onBeat: () => {
      storeFailure = undefined;
    },
  });
  // The instance row exists before the first claim (spec §9 #8).
  await heartbeat.beat();

  const delivery = createDelivery({
    baseUrl: config.endpoint.baseurl,
    timeoutMs: config.endpoint.timeout,
    maxConnections: config.jobs.maxRunning,
    ...(config.endpoint.signingKey === '' ? {} : { signHeaders: createSigner(config.endpoint.signingKey) }),
  });
  const attemptLog: AttemptLogOptions = {
    successLevel: deps.logDeliveriesAtInfo ? 'info' : 'debug',
    targetUrl: (path) => logTargetUrl(config.endpoint.baseurl, path),
  };
  const history = new RunHistory({
    store,
    clock,
    log: ilog,
    keep: config.history.keep,
    maxAgeMs: config.history.maxAge,
    onStoreError: () => metrics.observeStoreError('scheduler'),
  });
  const failures =
    config.endpoint.failureUrl === ''
      ? undefined
      : new FailureReports({
          store,
          clock,
          log: ilog,
          url: config.endpoint.failureUrl,
          failureAfter: config.endpoint.failureAfter,
          timeoutMs: config.endpoint.timeout,
          retry: retryConfig(config),
          instanceId,
          ...(config.endpoint.signingKey === '' ? {} : { sign: createMessageSigner(config.endpoint.signingKey) }),
          ...(history.enabled ? { historyFlushed: () => history.flush() } : {}),
        });
  const scheduler = new Scheduler({
    store,
    history,
    ...(failures ? { failures } : {}),
    delivery,
    clock,
    instanceId,
    log: ilog,
    maxRunning: config.jobs.maxRunning,
    scanFrequencyMs: config.jobs.scanFrequency,
    claimAheadMs: CLAIM_AHEAD_MS[store.kind],
    outcome: { scheduling: schedulingConfig(config), retry: retryConfig(config) },
    ...(deps.random ? { random: deps.random } : {}),
    onAttempt: (e) => {
      logAttempt(ilog, e, attemptLog);
      metrics.observeAttempt(e);
    },
    onClaim: (count) => metrics.observeClaim(count),
    onOutcomesDropped: (count) => metrics.observeOutcomesDropped(count),
    onStoreError: storeFailed('scheduler'),
  });

  // Jobs other instances schedule earlier than this one's next wake-up (PostgreSQL NOTIFY).
  store.onScheduledElsewhere?.((nextRun) => scheduler.notify(nextRun));

  const handler = createApiHandler({
    store,
    clock,
    instanceId,
    scheduling: schedulingConfig(config),
    log: ilog,
    onScheduled: (nextRun) => scheduler.notify(nextRun),
    onPaused: (paused) => scheduler.setPaused(paused),
    token: config.listen.token,
    onStoreError: storeFailed('api'),
    ops: createOpsRoutes({
      readiness: {
        // The scheduler's own cheapest query: it reads the jobs table, so it fails when that is gone.
        probeStore: () => store.nextDueAt(),
        lastBeatAt: () => heartbeat.lastBeatAt,
        now: () => clock.now(),
        beatIntervalMs: HEARTBEAT_EVERY_MS,
        onProbeError: () => metrics.observeStoreError('readiness'),
        storeFailure: () => storeFailure,
      },
      metrics,
    }),
  });
  const http = await startHttpServer(handler, config.listen).catch(async (err: unknown) => {
    // Not listening (e.g. the port is taken): leave no instance row behind to expire.
    await delivery.close();
    await store.removeInstance(instanceId).catch(() => undefined);
    throw err;
  });
  heartbeat.start();
  scheduler.start();
  history.start();
  void delivery.warmUp(`${loopbackUrl(http.url)}/healthz`);
  const syncTimer = serverClock ? setInterval(() => void serverClock.sync().catch(() => undefined), CLOCK_SYNC_EVERY_MS) : undefined;
  syncTimer?.unref();
  // A Go Dalga instance on the same MySQL table parks the cron jobs it runs; put them back.
  const repairCron = (): void => void repairParkedCronJobs(store, clock.now(), log).catch((err: unknown) => log.debug({ err }, 'cron repair failed'));
  const cronRepairTimer = store.kind === 'mysql' ? setInterval(repairCron, CRON_REPAIR_EVERY_MS) : undefined;
  cronRepairTimer?.unref();
  if (store.kind === 'mysql') repairCron();
  ilog.info(startupFields(config, store, http.url, deps.configFile), `dalga ${packageVersion()} listening on ${http.url}`);
  const exposed = exposureWarning(config.listen.host, config.listen.token);
  if (exposed !== undefined) ilog.warn(exposed);

  const shutdownTimeout = config.listen.shutdownTimeout;
  const graceful = async (): Promise<void> => {
    ilog.info({ running: scheduler.running }, 'shutting down');
    clearInterval(syncTimer);
    clearInterval(cronRepairTimer);
    history.stop();
    const httpClosed = http.close(shutdownTimeout);
    // Kept back from the deliveries: recording their outcomes and removing the instance row.
    await scheduler.stop(shutdownTimeout - Math.min(1000, Math.floor(shutdownTimeout / 5)));
    await heartbeat.stop();
    // The last attempts' history, if the store takes it (bounded by the whole stop's timeout).
    await history.flush();
    failures?.stop();
    await httpClosed;
    await delivery.close();
    // Deleting the row releases whatever is still claimed, so another instance takes it at once.
    await store.removeInstance(instanceId).catch((err: unknown) => ilog.warn({ err: String(err) }, 'cannot remove instance row; it expires by itself'));
    if (ownsStore) await store.close();
    ilog.info('stopped');
  };
  let stopping: Promise<void> | undefined;
  // listen.shutdownTimeout bounds the whole stop, whatever the store does (hangs, fails): past
  // it, the claims still held are released when this instance's row expires on the peers.
  const stop = (): Promise<void> => (stopping ??= withinTimeout(graceful(), shutdownTimeout, () => {
    ilog.warn({ shutdownTimeoutMs: shutdownTimeout }, 'shutdown timeout: the store did not answer in time; stopping anyway (claimed jobs are released when this instance expires)');
  }));

  return { url: http.url, instanceId, store, scheduler, stop };
}

/** `work`, or `onTimeout()` once `ms` passed first (the work goes on unobserved). */
async function withinTimeout(work: Promise<void>, ms: number, onTimeout: () => void): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  work.catch(() => undefined);
  try {
    const finished = await Promise.race([work.then(() => true), expired]);
    if (!finished) onTimeout();
  } finally {
    clearTimeout(timer);
  }
}

/** The URL a delivery went to, for its log line; undefined for a path that has none (unsafe). */
function logTargetUrl(baseUrl: string, path: string): string | undefined {
  try {
    return targetUrl(baseUrl, path);
  } catch {
    return undefined;
  }
}

/** What the start-up line says: which build, which file, which store, where jobs go. */
function startupFields(config: Config, store: Store, url: string, configFile: string | null | undefined): Record<string, unknown> {
  return {
    url,
    version: packageVersion(),
    ...(configFile === undefined ? {} : { config: configFile ?? '(none: defaults and environment)' }),
    store: describeStore(config, store),
    endpoint: redactUrl(config.endpoint.baseurl),
  };
}

/** The listening URL with a wildcard address (0.0.0.0, ::) replaced by loopback, to connect to. */
function loopbackUrl(url: string): string {
  return url.replace('//0.0.0.0:', '//127.0.0.1:').replace('//[::]:', '//[::1]:');
}

function schedulingConfig(config: Config): SchedulingConfig {
  return { fixedIntervals: config.jobs.fixedIntervals, randomizationFactor: config.jobs.randomizationFactor };
}

function retryConfig(config: Config): RetryConfig {
  return {
    intervalMs: config.jobs.retryInterval,
    multiplier: config.jobs.retryMultiplier,
    maxIntervalMs: config.jobs.retryMaxInterval,
    stopAfterMs: config.jobs.retryStopAfter,
  };
}
