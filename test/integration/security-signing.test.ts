import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { loadConfig } from '../../src/config/load.js';
import { signingKeyProblem } from '../../src/config/signing-key.js';
import { createDelivery, type Delivery } from '../../src/delivery/delivery.js';
import { createSigner, webhookId } from '../../src/delivery/signing.js';
import type { Job } from '../../src/schedule/job.js';
import { aJob } from '../support/job.js';
import { startEndpoint, type ReceivedPost, type TestEndpoint } from '../support/endpoint.js';

// Signed deliveries (endpoint.signingKey): what a real loopback endpoint receives verifies with
// the reference Standard Webhooks library.

const KEY = `whsec_${randomBytes(32).toString('base64')}`;

function job(overrides: Partial<Job> = {}): Job {
  return aJob({ body: '{"id":"é 😀"}', ...overrides });
}

function headersOf(post: ReceivedPost): Record<string, string> {
  return Object.fromEntries(Object.entries(post.headers).map(([k, v]) => [k, String(v)]));
}

let endpoint: TestEndpoint;
let delivery: Delivery;
beforeEach(async () => {
  endpoint = await startEndpoint();
  delivery = createDelivery({ baseUrl: endpoint.baseUrl, timeoutMs: 5000, maxConnections: 2, signHeaders: createSigner(KEY) });
});
afterEach(async () => {
  await delivery.close();
  await endpoint.close();
});

describe('signed deliveries', () => {
  it('carries webhook-id, webhook-timestamp and a v1 signature that standardwebhooks verifies', async () => {
    expect(await delivery.post(job(), 7)).toEqual({ status: 200 });
    const [post] = await endpoint.waitFor(1);
    const headers = headersOf(post!);
    expect(headers['webhook-id']).toMatch(/^msg_[A-Za-z0-9_-]{43}$/);
    expect(headers['webhook-timestamp']).toMatch(/^\d+$/);
    expect(Math.abs(Number(headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(300);
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(post!.body).toBe('{"id":"é 😀"}');
    expect(new Webhook(KEY).verify(post!.body, headers)).toEqual({ id: 'é 😀' });
  });

  it('fails verification with another key, another body or another id', async () => {
    await delivery.post(job({ body: 'plain text' }), 7);
    const [post] = await endpoint.waitFor(1);
    const headers = headersOf(post!);
    expect(new Webhook(KEY).verify(post!.body, headers, { jsonParse: false })).toBeUndefined();
    const other = `whsec_${randomBytes(32).toString('base64')}`;
    expect(() => new Webhook(other).verify(post!.body, headers)).toThrow('No matching signature found');
    expect(() => new Webhook(KEY).verify('plain text!', headers)).toThrow('No matching signature found');
    expect(() => new Webhook(KEY).verify(post!.body, { ...headers, 'webhook-id': 'msg_other' })).toThrow('No matching signature found');
  });

  it('keeps the id across retries of one occurrence and changes it for the next occurrence', async () => {
    const first = job();
    await delivery.post(first, 7);
    await delivery.post({ ...first, failures: 1, nextRun: first.nextRun! + 60_000 }, 7);
    await delivery.post({ ...first, nextSched: first.nextSched + 60_000, nextRun: first.nextSched + 60_000 }, 7);
    await delivery.post({ ...first, body: 'other' }, 7);
    const ids = (await endpoint.waitFor(4)).map((p) => p.headers['webhook-id']);
    expect(ids[0]).toBe(ids[1]);
    expect(new Set(ids).size).toBe(3);
    expect(ids[0]).toBe(webhookId(first));
  });

  it('signs with the timestamp of the attempt', () => {
    const sign = createSigner(KEY, () => 1_600_000_000_999);
    expect(sign(job(), 'x')['webhook-timestamp']).toBe('1600000000');
  });

  it('sends no webhook headers without a signing key', async () => {
    const plain = createDelivery({ baseUrl: endpoint.baseUrl, timeoutMs: 5000, maxConnections: 1 });
    try {
      await plain.post(job(), 7);
      const [post] = await endpoint.waitFor(1);
      expect(Object.keys(post!.headers).filter((h) => h.startsWith('webhook-'))).toEqual([]);
    } finally {
      await plain.close();
    }
  });
});

describe('endpoint.signingKey validation', () => {
  it.each([
    ['no prefix', randomBytes(32).toString('base64')],
    ['bad base64', 'whsec_not*base64!'],
    ['missing padding', `whsec_${randomBytes(32).toString('base64').replace(/=+$/, '')}`],
    ['base64url alphabet', `whsec_${Buffer.from('\xfb\xff'.repeat(16), 'latin1').toString('base64url')}`],
    ['prefix only', 'whsec_'],
  ])('refuses a key with %s', (_name, key) => {
    expect(signingKeyProblem(key)).toMatch(/^must be "whsec_" followed by base64/);
  });

  it('refuses a key shorter than 24 bytes', () => {
    expect(signingKeyProblem(`whsec_${randomBytes(16).toString('base64')}`)).toBe('must hold at least 24 bytes once base64-decoded (this one holds 16)');
  });

  it('accepts 24 bytes (the usual whsec_ length) and longer keys, and empty (no signing)', () => {
    expect(signingKeyProblem(`whsec_${randomBytes(24).toString('base64')}`)).toBeUndefined();
    expect(signingKeyProblem(`whsec_${randomBytes(64).toString('base64')}`)).toBeUndefined();
    expect(signingKeyProblem('')).toBeUndefined();
  });

  it('loadConfig refuses a malformed DALGA_ENDPOINT_SIGNINGKEY with one line naming the key, not its value', async () => {
    const secret = 'whsec_this-is-not-base64-but-secret';
    const load = loadConfig({ cwd: '/nonexistent-dalga-dir', env: { DALGA_ENDPOINT_SIGNINGKEY: secret } });
    await expect(load).rejects.toThrow(ConfigError);
    const error = (await load.catch((err: unknown) => err)) as Error;
    expect(error.message).toMatch(/^invalid config endpoint\.signingKey: must be "whsec_" followed by base64 .* — from DALGA_ENDPOINT_SIGNINGKEY$/);
    expect(error.message).not.toContain('this-is-not-base64');
    expect(error.message).not.toContain('\n');
  });
});
