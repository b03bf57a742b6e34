import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startEndpoint, type TestEndpoint } from '../support/endpoint.js';
import { parseMetrics, startOpsDaemon, type OpsDaemon } from './ops-support.js';

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

let ops: OpsDaemon | undefined;
let endpoint: TestEndpoint | undefined;
afterEach(async () => {
  await ops?.close();
  await endpoint?.close();
  ops = undefined;
  endpoint = undefined;
});

async function scrape(d: OpsDaemon): Promise<Map<string, number>> {
  const res = await d.get('/metrics');
  expect(res.status).toBe(200);
  return parseMetrics(res.text);
}

function deliveries(m: Map<string, number>): Record<string, number | undefined> {
  const of = (outcome: string): number | undefined => m.get(`dalga_deliveries_total{outcome="${outcome}"}`);
  return { success: of('success'), deleted: of('deleted'), retried: of('retried'), failed: of('failed') };
}

describe('GET /metrics', () => {
  it('exposes Prometheus text with zeroed counters, instance info and the /status figures', async () => {
    ops = await startOpsDaemon();
    const res = await ops.get('/metrics');
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.text).toMatch(/^# HELP dalga_deliveries_total /m);
    expect(res.text).toMatch(/^# TYPE dalga_delivery_duration_seconds histogram$/m);
    const m = parseMetrics(res.text);
    expect(deliveries(m)).toEqual({ success: 0, deleted: 0, retried: 0, failed: 0 });
    expect(m.get(`dalga_instance_info{instance_id="777",version="${VERSION}",store="sqlite"}`)).toBe(1);
    expect(m.get('dalga_store_up')).toBe(1);
    expect(m.get('dalga_jobs')).toBe(0);
    expect(m.get('dalga_instances')).toBe(1);
    expect(m.get('dalga_instance_running_jobs')).toBe(0);
    expect(m.get('dalga_store_errors_total{source="scheduler"}')).toBe(0);
    // Node's process metrics come along in the same registry.
    expect(m.has('process_cpu_user_seconds_total')).toBe(true);

    expect(await ops.put('/jobs/a/1?interval=3600')).toBe(201);
    expect(await ops.put('/jobs/a/2?interval=3600')).toBe(201);
    const after = await scrape(ops);
    expect(after.get('dalga_jobs')).toBe(2);
    expect(after.get('dalga_jobs_pending')).toBe(0);
  });

  it('counts deliveries by outcome, their durations, lateness and claim batches', async () => {
    endpoint = await startEndpoint();
    endpoint.respond = (post) => (post.url.startsWith('/gone') ? 204 : post.url.startsWith('/fail') ? 500 : 200);
    const baseurl = endpoint.baseUrl;
    // Retry after 60 s; give up once a retry would land more than 90 s after the occurrence.
    ops = await startOpsDaemon((c) => {
      c.endpoint.baseurl = baseurl;
      c.jobs.retryStopAfter = 90_000;
    });
    const d = ops;
    for (const target of ['/jobs/ok/1?interval=3600&immediate=true', '/jobs/once/1?one-off=true&immediate=true', '/jobs/gone/1?one-off=true&immediate=true', '/jobs/fail/1?interval=3600&immediate=true']) {
      expect(await d.put(target)).toBe(201);
    }
    await endpoint.waitFor(4);
    await expect.poll(async () => deliveries(await scrape(d))).toEqual({ success: 2, deleted: 1, retried: 1, failed: 0 });
    // The two one-off jobs are gone once their outcomes are stored.
    await expect.poll(async () => (await scrape(d)).get('dalga_jobs')).toBe(2);

    // fail/1 is due again 60 s later; it starts 5 s late, fails again and gives up.
    d.clock.advance(65_000);
    await endpoint.waitFor(5);
    await expect.poll(async () => deliveries(await scrape(d))).toEqual({ success: 2, deleted: 1, retried: 1, failed: 1 });
    const m = await scrape(d);
    expect(m.get('dalga_delivery_duration_seconds_count')).toBe(5);
    expect(m.get('dalga_delivery_lateness_seconds_count')).toBe(5);
    // On the fake clock the first four started exactly when due; only the retry was late.
    expect(m.get('dalga_delivery_lateness_seconds_sum')).toBe(5);
    expect(m.get('dalga_delivery_lateness_seconds_bucket{le="2.5"}')).toBe(4);
    expect(m.get('dalga_delivery_lateness_seconds_bucket{le="5"}')).toBe(5);
    expect(m.get('dalga_claim_batch_size_sum')).toBe(5);
    expect(m.get('dalga_claim_batch_size_bucket{le="+Inf"}')).toBe(m.get('dalga_claim_batch_size_count'));
    expect(m.get('dalga_store_errors_total{source="scheduler"}')).toBe(0);
  });

  it('reports the status figures as unknown (NaN) and dalga_store_up 0 while the store is cut', async () => {
    ops = await startOpsDaemon();
    ops.cut('status');
    const m = await scrape(ops);
    expect(m.get('dalga_store_up')).toBe(0);
    expect(m.get('dalga_jobs')).toBeNaN();
    expect(m.get('dalga_lag_seconds')).toBeNaN();
    // One status query per scrape, however many gauges read it.
    expect(m.get('dalga_store_errors_total{source="metrics"}')).toBe(1);
    ops.restore();
    const back = await scrape(ops);
    expect(back.get('dalga_store_up')).toBe(1);
    expect(back.get('dalga_jobs')).toBe(0);
  });

  it('counts the scheduler loop failing to claim as store errors', async () => {
    ops = await startOpsDaemon();
    const d = ops;
    d.cut('claimDue');
    // Each scan (a clock step) wakes the loop, which fails to claim and backs off.
    const errors = async (): Promise<number | undefined> => {
      d.clock.advance(1000);
      return (await scrape(d)).get('dalga_store_errors_total{source="scheduler"}');
    };
    await expect.poll(errors).toBeGreaterThan(0);
  });

  it('keeps each daemon’s counters in its own registry', async () => {
    endpoint = await startEndpoint();
    const baseurl = endpoint.baseUrl;
    ops = await startOpsDaemon((c) => (c.endpoint.baseurl = baseurl));
    const other = await startOpsDaemon();
    try {
      expect(await ops.put('/jobs/ok/1?one-off=true&immediate=true')).toBe(201);
      await endpoint.waitFor(1);
      const d = ops;
      await expect.poll(async () => deliveries(await scrape(d)).success).toBe(1);
      expect(deliveries(await scrape(other)).success).toBe(0);
    } finally {
      await other.close();
    }
  });
});
