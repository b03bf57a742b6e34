import type { Agent as UndiciAgent, Dispatcher, errors as UndiciErrors } from 'undici';
import type { Job } from '../schedule/job.js';
import type { DeliveryResult } from '../schedule/outcome.js';
import { formatInstant } from '../schedule/zone.js';
import { parseEndpointBase, targetPath, UnsafePathError } from './target-url.js';
import { requireCjs } from '../runtime/require-cjs.js';

export interface DeliveryOptions {
  /** endpoint.baseurl; the job path is appended to it. */
  baseUrl: string;
  /**
   * endpoint.timeout in ms: it bounds the whole request — connecting, sending, the response
   * headers and its body together. One timer serves every POST in progress (they all end by
   * the same rule, so they expire in the order they started).
   */
  timeoutMs: number;
  /** Keep-alive connections per origin; sized to jobs.maxRunning (spec §9 #11). */
  maxConnections: number;
  /** Extra headers for a POST, e.g. request signatures. */
  signHeaders?: (job: Job, body: string) => Record<string, string>;
}

export interface Delivery {
  /** POST the job to its endpoint. Never throws: failures come back as `{ error }`. */
  post(job: Job, instanceId: number): Promise<DeliveryResult>;
  /** Cut every POST in progress short (shutdown); each answers `{ error: 'aborted' }`. */
  abortRunning(): void;
  /**
   * One GET to `url` (the daemon's own /healthz), answer ignored: undici compiles its HTTP
   * parser (WebAssembly) on its first connection, which would otherwise make the first job
   * after a start ~20 ms late.
   */
  warmUp(url: string): Promise<void>;
  close(): Promise<void>;
}

// Only undici's connection pool and its error classes, not its index: that loads fetch,
// WebSocket, caches, mocks and proxies too (~110 modules, ~9 MB of the daemon's RSS).
const Agent = requireCjs('undici/lib/dispatcher/agent.js') as typeof UndiciAgent;
const undiciErrors = requireCjs('undici/lib/core/errors.js') as typeof UndiciErrors;

/** Sent with `manual` on a delivery asked for by POST /jobs/<path>/<body> (run now). */
export const TRIGGER_HEADER = 'dalga-trigger';

/** Read (and discard) at most this much of a response body; beyond it the connection is dropped. */
const BODY_LIMIT = 64 * 1024;

export function createDelivery(options: DeliveryOptions): Delivery {
  const agent = new Agent({
    connections: options.maxConnections,
    keepAliveTimeout: 30_000,
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    connect: { timeout: options.timeoutMs },
  });
  const base = parseEndpointBase(options.baseUrl);
  // In start order, which is deadline order: every POST gets the same timeout.
  const running = new Set<PostHandler>();
  let sweep: NodeJS.Timeout | undefined;

  /** Ends the POSTs past their deadline and sets the one timer for the next deadline. */
  function expire(): void {
    sweep = undefined;
    const now = performance.now();
    for (const handler of running) {
      if (handler.deadline > now) break;
      handler.expire();
    }
    armSweep();
  }

  function armSweep(): void {
    if (sweep !== undefined) return;
    const first = running.values().next();
    if (first.done) return;
    sweep = setTimeout(expire, Math.max(0, first.value.deadline - performance.now()));
    sweep.unref();
  }

  function post(claimed: Job, instanceId: number): Promise<DeliveryResult> {
    // A run now (POST /jobs) is sent as of the moment it was asked for, and says so.
    const manual = claimed.runNow !== undefined && claimed.runNow !== null;
    const job = manual ? { ...claimed, nextSched: claimed.runNow! } : claimed;
    let path: string;
    try {
      path = targetPath(base, job.path);
    } catch (err) {
      if (err instanceof UnsafePathError) return Promise.resolve({ error: err.message });
      throw err;
    }
    // Assigned, not spread: this object is built for every delivery.
    const headers: Record<string, string> = {
      'content-type': 'text/plain',
      'dalga-sched': formatInstant(job.nextSched, job.location),
      'dalga-instance': String(instanceId),
    };
    if (manual) headers[TRIGGER_HEADER] = 'manual';
    if (base.authorization !== undefined) headers['authorization'] = base.authorization;
    if (options.signHeaders !== undefined) Object.assign(headers, options.signHeaders(job, job.body));
    return new Promise((resolve) => {
      const handler = new PostHandler(performance.now() + options.timeoutMs, (result) => {
        running.delete(handler);
        resolve(describeResult(result, options.timeoutMs));
      });
      running.add(handler);
      armSweep();
      agent.dispatch({ origin: base.origin, path, method: 'POST', body: job.body, headers }, handler);
    });
  }

  return {
    post,
    abortRunning: () => {
      for (const handler of running) handler.abort();
    },
    warmUp: (url) =>
      new Promise<void>((resolve) => {
        const { origin, pathname } = new URL(url);
        const handler = new PostHandler(Number.POSITIVE_INFINITY, () => resolve());
        agent.dispatch({ origin, path: pathname, method: 'GET' }, handler);
      }),
    close: () => agent.close(),
  };
}

type RawResult = { status: number } | { error: unknown };

/**
 * undici's dispatch handler for one POST: it keeps the status and throws the body away. This,
 * rather than undici's `request()`, is on the hot path of every delivery: `request()` wraps each
 * response in a stream, an abort-signal listener and a parsed URL, several kilobytes of garbage
 * per job that set the daemon's memory while draining a backlog.
 */
class PostHandler implements Dispatcher.DispatchHandler {
  /** The final status (not a 1xx); 0 until the response headers arrived. */
  private status = 0;
  private received = 0;
  private settled = false;
  private controller: Dispatcher.DispatchController | undefined;
  private abortReason: Error | undefined;

  constructor(
    /** performance.now() by which the whole request is over. */
    readonly deadline: number,
    private readonly done: (result: RawResult) => void,
  ) {}

  /** Shutdown: cut it short. */
  abort(): void {
    this.cancel(new undiciErrors.RequestAbortedError());
  }

  /**
   * endpoint.timeout is up. An answer whose headers came counts by its status (the endpoint
   * has answered; only its body is still arriving); else the POST timed out. Either way the
   * connection is dropped and the slot is free now.
   */
  expire(): void {
    this.settle(this.status !== 0 ? { status: this.status } : { error: new DeliveryTimeoutError() });
    this.cancel(new DeliveryTimeoutError());
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    // Aborted before it reached a connection: undici starts it here, and it ends here.
    if (this.abortReason) controller.abort(this.abortReason);
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number): void {
    // An informational answer (103 Early Hints) comes before the final one.
    if (statusCode >= 200) this.status = statusCode;
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.received += chunk.length;
    if (this.received > BODY_LIMIT) {
      // The status is all we need: drop the connection rather than read a huge body.
      this.settle({ status: this.status });
      controller.abort(new Error('response body over limit'));
    }
  }

  onResponseEnd(): void {
    this.settle({ status: this.status });
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, err: Error): void {
    this.settle({ error: err });
  }

  private cancel(reason: Error): void {
    this.abortReason ??= reason;
    if (this.controller && !this.controller.aborted) this.controller.abort(this.abortReason);
  }

  private settle(result: RawResult): void {
    if (this.settled) return;
    this.settled = true;
    this.done(result);
  }
}

/** endpoint.timeout passed before the endpoint answered. */
class DeliveryTimeoutError extends Error {
  override readonly name = 'DeliveryTimeoutError';
}

function describeResult(result: RawResult, timeoutMs: number): DeliveryResult {
  return 'status' in result ? { status: result.status } : { error: describeError(result.error, timeoutMs) };
}

function describeError(err: unknown, timeoutMs: number): string {
  if (
    err instanceof DeliveryTimeoutError ||
    err instanceof undiciErrors.HeadersTimeoutError ||
    err instanceof undiciErrors.BodyTimeoutError ||
    err instanceof undiciErrors.ConnectTimeoutError
  ) {
    return `timeout after ${timeoutMs}ms`;
  }
  const code = (err as { code?: string }).code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'connection reset';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found';
  if (err instanceof Error && err.name === 'AbortError') return 'aborted';
  return err instanceof Error ? err.message : String(err);
}
