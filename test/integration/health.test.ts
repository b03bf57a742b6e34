import { afterEach, describe, expect, it } from 'vitest';
import { checkReadiness } from '../../src/server/health.js';
import { parseMetrics, startOpsDaemon, type OpsDaemon } from './ops-support.js';

let ops: OpsDaemon | undefined;
afterEach(async () => {
  await ops?.close();
  ops = undefined;
});

describe('GET /healthz', () => {
  it('answers 200 ok while the process runs, even with the store cut', async () => {
    ops = await startOpsDaemon();
    expect(await ops.get('/healthz')).toMatchObject({ status: 200, text: 'ok\n' });
    ops.cut('*');
    expect(await ops.get('/healthz')).toMatchObject({ status: 200, text: 'ok\n' });
  });

  it('is a GET route like the others: HEAD works, POST is 405 with Allow', async () => {
    ops = await startOpsDaemon();
    const head = await fetch(`${ops.daemon.url}/healthz`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    const post = await fetch(`${ops.daemon.url}/healthz`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });
});

describe('with listen.token set', () => {
  it('serves /healthz and /readyz without the token, and /metrics only with it', async () => {
    ops = await startOpsDaemon((c) => (c.listen.token = 's3cret-token'));
    expect((await ops.get('/healthz', {})).status).toBe(200);
    expect((await ops.get('/readyz', {})).status).toBe(200);
    expect((await ops.get('/metrics', {})).status).toBe(401);
    expect((await ops.get('/metrics', { authorization: 'Bearer wrong' })).status).toBe(401);
    const scraped = await ops.get('/metrics');
    expect(scraped.status).toBe(200);
    expect(scraped.text).not.toContain('s3cret-token');
  });
});

describe('GET /readyz', () => {
  it('turns 503 with a one-line reason when the store is cut, and 200 when it is back', async () => {
    ops = await startOpsDaemon();
    expect(await ops.get('/readyz')).toMatchObject({ status: 200, text: 'ok\n' });
    ops.cut('*');
    const down = await ops.get('/readyz');
    expect(down.status).toBe(503);
    expect(down.text).toBe('not ready: store unavailable: database unavailable — connection refused (cut by the test)\n');
    ops.restore();
    expect(await ops.get('/readyz')).toMatchObject({ status: 200, text: 'ok\n' });
    // The failed probe was counted.
    const m = parseMetrics((await ops.get('/metrics')).text);
    expect(m.get('dalga_store_errors_total{source="readiness"}')).toBe(1);
  });

  it('turns 503 when the heartbeat has not succeeded for three intervals, and 200 after the next beat', async () => {
    ops = await startOpsDaemon();
    const d = ops;
    d.cut('heartbeat');
    d.clock.advance(3000);
    // Exactly three intervals old is still fresh.
    expect((await d.get('/readyz')).status).toBe(200);
    d.clock.advance(1000);
    const stale = await d.get('/readyz');
    expect(stale.status).toBe(503);
    expect(stale.text).toBe('not ready: heartbeat stale: last successful beat 4.0s ago (limit 3.0s)\n');
    await expect.poll(async () => parseMetrics((await d.get('/metrics')).text).get('dalga_store_errors_total{source="heartbeat"}')).toBeGreaterThan(0);
    d.restore();
    // The heartbeat's next beat (a clock step away) makes it ready again.
    await expect.poll(async () => {
      d.clock.advance(1000);
      return (await d.get('/readyz')).status;
    }).toBe(200);
  });
});

describe('checkReadiness', () => {
  const fresh = { lastBeatAt: () => 1000, now: () => 1500, beatIntervalMs: 1000 };

  it('is ready when the probe answers and the beat is recent', async () => {
    expect(await checkReadiness({ ...fresh, probeStore: async () => null })).toEqual({ ready: true });
  });

  it('gives up on a store probe that does not answer in time', async () => {
    const errors: unknown[] = [];
    const state = await checkReadiness({ ...fresh, probeStore: () => new Promise(() => undefined), probeTimeoutMs: 20, onProbeError: (e) => errors.push(e) });
    expect(state).toEqual({ ready: false, reason: 'store unavailable: no answer within 20ms' });
    expect(errors).toHaveLength(1);
  });

  it('is not ready before the first beat', async () => {
    expect(await checkReadiness({ ...fresh, lastBeatAt: () => undefined, probeStore: async () => null })).toEqual({ ready: false, reason: 'no heartbeat yet' });
  });

  it('keeps a multi-line driver error to its first line', async () => {
    const state = await checkReadiness({ ...fresh, probeStore: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:3306\n    at Socket.x')) });
    expect(state).toEqual({ ready: false, reason: 'store unavailable: connect ECONNREFUSED 127.0.0.1:3306' });
  });
});
