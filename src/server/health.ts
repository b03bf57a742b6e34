import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendText } from './respond.js';

// The operational routes: `/healthz` (the process answers), `/readyz` (it can do its job: the
// store answers and the heartbeat is fresh) and `/metrics` (Prometheus text). The API's route
// table serves them; the token check exempts the two health checks, so probes need no secret.

export type OpsHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export interface OpsRoutes {
  readonly healthz: OpsHandler;
  readonly readyz: OpsHandler;
  /** Absent: `/metrics` answers 404. */
  readonly metrics?: OpsHandler;
}

export interface ReadinessOptions {
  /** One cheap store round trip; rejects (or hangs) when the store is unreachable. */
  probeStore: () => Promise<unknown>;
  /** When the heartbeat last succeeded (clock ms); undefined before the first beat. */
  lastBeatAt: () => number | undefined;
  /** The clock the heartbeat uses, so both ages are measured alike. */
  now: () => number;
  /** The heartbeat interval: a beat older than three of them means this instance is stuck. */
  beatIntervalMs: number;
  /** Longest wait for the store probe, in real ms (default 2000). */
  probeTimeoutMs?: number;
  /** Observes a failed probe (the store error counter). */
  onProbeError?: (err: unknown) => void;
  /**
   * Why the store refused a write since the last successful heartbeat (a full disk, a read-only
   * file), or undefined. The probe is a read, which a full disk does not stop.
   */
  storeFailure?: () => string | undefined;
}

export type Readiness = { readonly ready: true } | { readonly ready: false; readonly reason: string };

/** Anything that renders a metrics registry (src/observability/metrics.ts). */
export interface MetricsSource {
  readonly contentType: string;
  render(): Promise<string>;
}

const STALE_AFTER_BEATS = 3;
const DEFAULT_PROBE_TIMEOUT_MS = 2000;
const NO_STORE = { 'Cache-Control': 'no-store' };

export function createOpsRoutes(options: { readiness: ReadinessOptions; metrics?: MetricsSource }): OpsRoutes {
  const { readiness, metrics } = options;
  return {
    healthz: async (_req, res) => sendText(res, 200, 'ok', NO_STORE),
    readyz: async (_req, res) => {
      const state = await checkReadiness(readiness);
      if (state.ready) return sendText(res, 200, 'ok', NO_STORE);
      sendText(res, 503, `not ready: ${state.reason}`, NO_STORE);
    },
    ...(metrics ? { metrics: (req, res) => serveMetrics(metrics, req, res) } : {}),
  };
}

/** Ready when the store answers in time and the last heartbeat is recent. */
export async function checkReadiness(options: ReadinessOptions): Promise<Readiness> {
  const problem = await storeProblem(options);
  if (problem !== undefined) return { ready: false, reason: problem };
  const failure = options.storeFailure?.();
  if (failure !== undefined) return { ready: false, reason: `store refuses writes: ${failure}` };
  const last = options.lastBeatAt();
  if (last === undefined) return { ready: false, reason: 'no heartbeat yet' };
  const ageMs = options.now() - last;
  const limitMs = STALE_AFTER_BEATS * options.beatIntervalMs;
  if (ageMs > limitMs) {
    return { ready: false, reason: `heartbeat stale: last successful beat ${seconds(ageMs)} ago (limit ${seconds(limitMs)})` };
  }
  return { ready: true };
}

/** Answers why the store probe failed, or undefined when it succeeded. */
async function storeProblem(options: ReadinessOptions): Promise<string | undefined> {
  const timeoutMs = options.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${seconds(timeoutMs)}`)), timeoutMs);
  });
  try {
    await Promise.race([options.probeStore(), timeout]);
    return undefined;
  } catch (err) {
    options.onProbeError?.(err);
    return `store unavailable: ${firstLine(err)}`;
  } finally {
    clearTimeout(timer);
  }
}

async function serveMetrics(metrics: MetricsSource, _req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await metrics.render();
  res.writeHead(200, { 'Content-Type': metrics.contentType, 'Content-Length': String(Buffer.byteLength(body)), ...NO_STORE });
  res.end(body);
}

function seconds(ms: number): string {
  return ms < 1000 ? `${ms}ms` : `${(ms / 1000).toFixed(1)}s`;
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return (text.split('\n', 1)[0] ?? '').trim() || 'unknown error';
}
