import { createHash, createHmac } from 'node:crypto';
import { decodeSigningKey } from '../config/signing-key.js';
import type { Job } from '../schedule/job.js';

// Standard Webhooks signatures for deliveries (https://www.standardwebhooks.com): with
// `endpoint.signingKey` set, every POST carries `webhook-id`, `webhook-timestamp` and
// `webhook-signature: v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>`, which any
// Standard Webhooks library verifies.

export type SignHeaders = (job: Job, body: string) => Record<string, string>;

/**
 * A `signHeaders` hook for createDelivery. `now` gives the wall-clock time of the attempt
 * (epoch ms): receivers compare the timestamp with their own clock (5 minutes' tolerance).
 */
export function createSigner(signingKey: string, now: () => number = Date.now): SignHeaders {
  const sign = createMessageSigner(signingKey, now);
  return (job, body) => sign(webhookId(job), body);
}

/** Signs any message with its own id (failure reports): the same three headers. */
export function createMessageSigner(signingKey: string, now: () => number = Date.now): (id: string, body: string) => Record<string, string> {
  const key = decodeSigningKey(signingKey);
  return (id, body) => {
    const timestamp = String(Math.floor(now() / 1000));
    const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`, 'utf8').digest('base64');
    return { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${signature}` };
  };
}

/**
 * The message id: one per occurrence (path, body, next_sched), so every retry of an occurrence
 * carries the same id — Standard Webhooks receivers de-duplicate on it — and the next
 * occurrence gets a new one.
 */
export function webhookId(job: Pick<Job, 'path' | 'body' | 'nextSched'>): string {
  const hash = createHash('sha256').update(JSON.stringify([job.path, job.body, job.nextSched]), 'utf8').digest('base64url');
  return `msg_${hash}`;
}
