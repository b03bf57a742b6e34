import type * as PromClient from 'prom-client';
import type { Clock } from '../clock.js';
import { StoreFullError } from '../errors.js';
import type { StatusCounts } from '../schedule/job.js';
import type { AttemptEvent } from '../scheduler/scheduler.js';
import type { Store } from '../store/store.js';
import { ATTEMPT_KINDS, classifyAttempt, latenessMs } from './attempt.js';
import { requireCjs } from '../runtime/require-cjs.js';

// prom-client's parts, not its index: that also loads its Pushgateway (https, zlib), its
// cluster aggregation and Summary (t-digest), none of which a daemon uses.
const Registry = requireCjs('prom-client/lib/registry') as typeof PromClient.Registry;
const Counter = requireCjs('prom-client/lib/counter') as typeof PromClient.Counter;
const Gauge = requireCjs('prom-client/lib/gauge') as typeof PromClient.Gauge;
const Histogram = requireCjs('prom-client/lib/histogram') as typeof PromClient.Histogram;

/** One of prom-client's default metrics: lib/metrics/<name>.js, called with the registry and its config. */
type DefaultMetric = (registry: PromClient.Registry, config: { eventLoopMonitoringPrecision: number }) => void;

/**
 * prom-client's default metrics (its lib/defaultMetrics.js), registered in the same order under
 * the same names, but without loading that file: its first metric, processCpuTotal, requires
 * `@opentelemetry/api` (51 modules, ~1.4 MB resident) for exemplars, which the daemon never
 * enables. The three CPU counters are made here instead, as processCpuTotal makes them without
 * exemplars; the other metrics are prom-client's own.
 */
function collectDefaultMetrics(registry: PromClient.Registry): void {
  const registers = [registry];
  let lastCpuUsage = process.cpuUsage();
  const cpuUser: PromClient.Counter = new Counter({
    name: 'process_cpu_user_seconds_total',
    help: 'Total user CPU time spent in seconds.',
    registers,
    // One metric's collect sets all three, as prom-client's does.
    collect() {
      const cpuUsage = process.cpuUsage();
      const userUsageMicros = cpuUsage.user - lastCpuUsage.user;
      const systemUsageMicros = cpuUsage.system - lastCpuUsage.system;
      lastCpuUsage = cpuUsage;
      cpuUser.inc({}, userUsageMicros / 1e6);
      cpuSystem.inc({}, systemUsageMicros / 1e6);
      cpuTotal.inc({}, (userUsageMicros + systemUsageMicros) / 1e6);
    },
  });
  const cpuSystem = new Counter({ name: 'process_cpu_system_seconds_total', help: 'Total system CPU time spent in seconds.', registers });
  const cpuTotal = new Counter({ name: 'process_cpu_seconds_total', help: 'Total user and system CPU time spent in seconds.', registers });
  const names = [
    'processStartTime',
    'osMemoryHeap',
    'processOpenFileDescriptors',
    'processMaxFileDescriptors',
    'eventLoopLag',
    ...(typeof process.getActiveResourcesInfo === 'function' ? ['processResources'] : []),
    'processHandles',
    'processRequests',
    'heapSizeAndUsed',
    'heapSpacesSizeAndUsed',
    'version',
    'gc',
  ];
  const config = { eventLoopMonitoringPrecision: 10, register: registry };
  for (const name of names) (requireCjs(`prom-client/lib/metrics/${name}`) as DefaultMetric)(registry, config);
}

// Prometheus metrics of one daemon, in a registry of its own (never prom-client's global one),
// so several daemons can live in one process (tests) without sharing counters.

/** Where a store error was seen: the claim/record loop, the heartbeat, an API request, a probe or a scrape. */
export type StoreErrorSource = 'scheduler' | 'heartbeat' | 'api' | 'readiness' | 'metrics';
const STORE_ERROR_SOURCES: readonly StoreErrorSource[] = ['scheduler', 'heartbeat', 'api', 'readiness', 'metrics'];

export interface MetricsOptions {
  instanceId: number;
  version: string;
  store: Pick<Store, 'kind' | 'status' | 'pausedSince'>;
  /** The daemon's clock: "now" for the status query. */
  clock: Clock;
  /** Jobs this instance has claimed and not yet recorded (Scheduler.running). */
  running: () => number;
  /** Node's process metrics (CPU, memory, event loop lag); default true. */
  processMetrics?: boolean;
  /** Longest wait for the status query on a scrape, real ms (default 2000). */
  statusTimeoutMs?: number;
}

export interface DalgaMetrics {
  readonly registry: PromClient.Registry;
  readonly contentType: string;
  observeAttempt(event: AttemptEvent): void;
  observeClaim(count: number): void;
  observeOutcomesDropped(count: number): void;
  observeStoreError(source: StoreErrorSource, err?: unknown): void;
  /** The text exposition; queries the store for the `/status` figures. */
  render(): Promise<string>;
}

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const LATENESS_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
const BATCH_BUCKETS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];

export function createMetrics(options: MetricsOptions): DalgaMetrics {
  const registry = new Registry();
  const registers = [registry];
  const fetchStatus = statusFetcher(options, () => storeErrors.inc({ source: 'metrics' }));
  if (options.processMetrics ?? true) collectDefaultMetrics(registry);

  const deliveries = new Counter({
    name: 'dalga_deliveries_total',
    help: 'Delivery attempts by outcome: success (200), deleted (204), retried (failed, will retry), failed (failed, gave up or disabled)',
    labelNames: ['outcome'] as const,
    registers,
  });
  // One child per outcome, made once: every delivery counts without hashing a label object.
  const deliveriesBy = new Map(ATTEMPT_KINDS.map((outcome) => [outcome, deliveries.labels({ outcome })]));
  for (const child of deliveriesBy.values()) child.inc(0);
  const duration = new Histogram({
    name: 'dalga_delivery_duration_seconds',
    help: 'Time from sending the POST to having its answer (or error)',
    buckets: DURATION_BUCKETS,
    registers,
  });
  const lateness = new Histogram({
    name: 'dalga_delivery_lateness_seconds',
    help: 'Time from when a job was due (next_run) to when its delivery started',
    buckets: LATENESS_BUCKETS,
    registers,
  });
  const claimBatch = new Histogram({
    name: 'dalga_claim_batch_size',
    help: 'Jobs taken by one claim transaction (claims that found none are not observed)',
    buckets: BATCH_BUCKETS,
    registers,
  });
  const outcomesDropped = new Counter({
    name: 'dalga_outcomes_dropped_total',
    help: 'Delivery outcomes not written because the job was replaced, cancelled or claimed again while it ran',
    registers,
  });
  const storeErrors: PromClient.Counter<'source'> = new Counter({
    name: 'dalga_store_errors_total',
    help: 'Failed store operations, by where they happened (scheduler, heartbeat, api, readiness, metrics)',
    labelNames: ['source'] as const,
    registers,
    // Waits for this scrape's status query, so a failure of it is counted in the same scrape.
    async collect() {
      await fetchStatus();
    },
  });
  for (const source of STORE_ERROR_SOURCES) storeErrors.inc({ source }, 0);
  const storeFull = new Counter({
    name: 'dalga_store_full_errors_total',
    help: 'Store writes that failed because the disk is full (SQLITE_FULL); also counted in dalga_store_errors_total',
    registers,
  });
  storeFull.inc(0);
  new Gauge({
    name: 'dalga_instance_running_jobs',
    help: 'Jobs this instance is delivering now (claimed, outcome not yet recorded)',
    registers,
    collect() {
      this.set(options.running());
    },
  });
  const info = new Gauge({
    name: 'dalga_instance_info',
    help: 'Always 1; labels describe this instance',
    labelNames: ['instance_id', 'version', 'store'] as const,
    registers,
  });
  info.set({ instance_id: String(options.instanceId), version: options.version, store: options.store.kind }, 1);
  registerStatusGauges(registry, fetchStatus);
  new Gauge({
    name: 'dalga_paused',
    help: 'Deliveries of every instance paused (PUT /pause): 1, else 0; NaN when the store did not answer',
    registers,
    async collect() {
      const since = await readPaused(options);
      this.set(since === undefined ? Number.NaN : since === null ? 0 : 1);
    },
  });

  return {
    registry,
    contentType: registry.contentType,
    observeAttempt(event) {
      deliveriesBy.get(classifyAttempt(event))!.inc();
      duration.observe(Math.max(0, event.finishedAt - event.startedAt) / 1000);
      lateness.observe(latenessMs(event) / 1000);
    },
    observeClaim(count) {
      if (count > 0) claimBatch.observe(count);
    },
    observeOutcomesDropped(count) {
      outcomesDropped.inc(count);
    },
    observeStoreError(source, err) {
      storeErrors.inc({ source });
      if (err instanceof StoreFullError) storeFull.inc();
    },
    render: () => registry.metrics(),
  };
}

type StatusFigure = Exclude<keyof StatusCounts, 'instanceRunningJobs'>;

const STATUS_GAUGES: readonly { name: string; help: string; figure: StatusFigure }[] = [
  { name: 'dalga_jobs', help: 'Jobs in the table (GET /status total_jobs)', figure: 'totalJobs' },
  { name: 'dalga_jobs_pending', help: 'Jobs due and not yet claimed (pending_jobs)', figure: 'pendingJobs' },
  { name: 'dalga_jobs_running', help: 'Jobs claimed by any instance (running_jobs)', figure: 'runningJobs' },
  { name: 'dalga_instances', help: 'Live instances sharing the table (total_instances)', figure: 'totalInstances' },
  { name: 'dalga_lag_seconds', help: 'Seconds since the oldest due, unclaimed job should have run (lag)', figure: 'lagSeconds' },
];

type StatusFetch = () => Promise<StatusCounts | undefined>;

/**
 * One store query per scrape: every collect() joins the query in flight (prom-client starts
 * them all in the same tick). Answers undefined when the store did not answer.
 */
function statusFetcher(options: MetricsOptions, onError: () => void): StatusFetch {
  let inFlight: Promise<StatusCounts | undefined> | undefined;
  return () =>
    (inFlight ??= readStatus(options, onError).finally(() => {
      inFlight = undefined;
    }));
}

/** The `/status` figures; NaN (unknown, not zero) and `dalga_store_up` 0 when the store does not answer. */
function registerStatusGauges(registry: PromClient.Registry, fetchStatus: StatusFetch): void {
  new Gauge({
    name: 'dalga_store_up',
    help: '1 when the store answered the status query of this scrape, else 0',
    registers: [registry],
    async collect() {
      this.set((await fetchStatus()) === undefined ? 0 : 1);
    },
  });
  for (const { name, help, figure } of STATUS_GAUGES) {
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        const status = await fetchStatus();
        this.set(status === undefined ? Number.NaN : status[figure]);
      },
    });
  }
}

async function readStatus(options: MetricsOptions, onError: () => void): Promise<StatusCounts | undefined> {
  return withinStatusTimeout(options, () => options.store.status(options.instanceId, options.clock.now()), onError);
}

/** The pause flag's time, null when not paused, undefined when the store did not answer (counted by the status query's error). */
function readPaused(options: MetricsOptions): Promise<number | null | undefined> {
  return withinStatusTimeout(options, () => options.store.pausedSince(), () => undefined);
}

async function withinStatusTimeout<T>(options: MetricsOptions, query: () => Promise<T>, onError: () => void): Promise<T | undefined> {
  const timeoutMs = options.statusTimeoutMs ?? 2000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('status query timed out')), timeoutMs);
  });
  try {
    return await Promise.race([query(), timeout]);
  } catch {
    onError();
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}
