import { Agent, request, errors as undiciErrors } from 'undici';
import type { Job } from '../schedule/job.js';
import type { DeliveryResult } from '../schedule/outcome.js';
import { formatInstant } from '../schedule/zone.js';
import { targetUrl, UnsafePathError } from './target-url.js';

export interface DeliveryOptions {
  /** endpoint.baseurl; the job path is appended to it. */
  baseUrl: string;
  /**
   * endpoint.timeout in ms. It bounds connecting, waiting for the response headers, and each
   * pause while reading the body — undici's own timers, so no timer is made per request.
   */
  timeoutMs: number;
  /** Keep-alive connections per origin; sized to jobs.maxRunning (spec §9 #11). */
  maxConnections: number;
  /** Extra headers for a POST, e.g. request signatures. */
  signHeaders?: (job: Job, body: string) => Record<string, string>;
}

export interface Delivery {
  /** POST the job to its endpoint. Never throws: failures come back as `{ error }`. */
  post(job: Job, instanceId: number, signal?: AbortSignal): Promise<DeliveryResult>;
  close(): Promise<void>;
}

export function createDelivery(options: DeliveryOptions): Delivery {
  const agent = new Agent({
    connections: options.maxConnections,
    keepAliveTimeout: 30_000,
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    connect: { timeout: options.timeoutMs },
  });

  async function post(job: Job, instanceId: number, signal?: AbortSignal): Promise<DeliveryResult> {
    let url: string;
    try {
      url = targetUrl(options.baseUrl, job.path);
    } catch (err) {
      if (err instanceof UnsafePathError) return { error: err.message };
      throw err;
    }
    const headers: Record<string, string> = {
      'content-type': 'text/plain',
      'dalga-sched': formatInstant(job.nextSched, job.location),
      'dalga-instance': String(instanceId),
      ...options.signHeaders?.(job, job.body),
    };
    try {
      const response = await request(url, {
        method: 'POST',
        body: job.body,
        headers,
        dispatcher: agent,
        ...(signal ? { signal } : {}),
      });
      await response.body.dump({ limit: 64 * 1024 });
      return { status: response.statusCode };
    } catch (err) {
      return { error: describeError(err, options.timeoutMs) };
    }
  }

  return { post, close: () => agent.close() };
}

function describeError(err: unknown, timeoutMs: number): string {
  if (
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
