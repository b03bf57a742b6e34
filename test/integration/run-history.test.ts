// The run history (README "Run history"): every attempt recorded with its status and outcome,
// GET /jobs/{path}/{body}/runs newest first and paged, kept after the job is deleted, and
// trimmed by count per job and by age.
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const MIN = 60_000;

async function runs(harness: Harness, query = ''): Promise<{ status: number; json: any; text: string }> {
  await harness.history.flush();
  return harness.api('GET', `/jobs/report/daily/runs${query}`);
}

describe('run history', () => {
  it('records 500, 500, 200 with their retry times, newest first, paged, and keeps them after the job is deleted', async () => {
    h = await startHarness({ start: '2020-01-13T22:09:00Z' });
    const t0 = h.clock.now();
    const answers = [500, 500, 200];
    h.endpoint.respond = () => answers.shift() ?? 200;
    expect((await h.api('PUT', '/jobs/report/daily?interval=PT1H&immediate=true')).status).toBe(201);
    expect(await h.scheduler.runOnce()).toBe(1);
    h.clock.advance(MIN);
    expect(await h.scheduler.runOnce()).toBe(1);
    h.clock.advance(MIN);
    expect(await h.scheduler.runOnce()).toBe(1);

    const all = await runs(h);
    expect(all.status).toBe(200);
    expect(all.json.cursor).toBe('');
    expect(all.json.runs.map((r: any) => [r.status, r.outcome, r.attempt, r.started_at])).toEqual([
      ['200', 'done', 3, new Date(t0 + 2 * MIN).toISOString()],
      ['500', 'retry', 2, new Date(t0 + MIN).toISOString()],
      ['500', 'retry', 1, new Date(t0).toISOString()],
    ]);
    for (const r of all.json.runs) {
      expect(r.sched).toBe(new Date(t0).toISOString());
      expect(r.instance_id).toBe(h.instanceId);
      expect(r.duration_ms).toBeGreaterThanOrEqual(0);
    }

    const first = await runs(h, '?limit=2');
    expect(first.json.runs.map((r: any) => r.attempt)).toEqual([3, 2]);
    expect(first.json.cursor).not.toBe('');
    const second = await runs(h, `?limit=2&cursor=${first.json.cursor}`);
    expect(second.json).toEqual({ runs: [expect.objectContaining({ attempt: 1 })], cursor: '' });

    expect((await h.api('DELETE', '/jobs/report/daily')).status).toBe(204);
    expect((await runs(h)).json.runs).toHaveLength(3);
    expect((await h.api('GET', '/jobs/never/was/runs')).json).toEqual({ runs: [], cursor: '' });
  });

  it('refuses a bad limit or cursor with one line', async () => {
    h = await startHarness();
    const limit = await runs(h, '?limit=0');
    expect(limit.status).toBe(400);
    expect(limit.text).toMatch(/^invalid limit — /);
    const cursor = await runs(h, '?cursor=bm90IGpzb24');
    expect(cursor.status).toBe(400);
    expect(cursor.text).toMatch(/^invalid cursor — /);
  });

  it('says when a job gave up (retryStopAfter)', async () => {
    h = await startHarness({ retry: { stopAfterMs: 90_000 } });
    h.endpoint.respond = 500;
    expect((await h.api('PUT', '/jobs/report/daily?one-off=true&immediate=true')).status).toBe(201);
    expect(await h.scheduler.runOnce()).toBe(1);
    h.clock.advance(MIN);
    expect(await h.scheduler.runOnce()).toBe(1);
    h.clock.advance(MIN);
    // The next retry would fall past retryStopAfter: the one-off job gave up (disabled, kept).
    expect(await h.scheduler.runOnce()).toBe(0);
    expect((await runs(h)).json.runs.map((r: any) => r.outcome)).toEqual(['gave-up', 'retry']);
  });

  it('keeps the newest history.keep runs per job and drops runs older than history.maxAge', async () => {
    h = await startHarness({ historyKeep: 3, historyMaxAgeMs: 10 * MIN });
    expect((await h.api('PUT', '/jobs/report/daily?interval=PT1M&immediate=true')).status).toBe(201);
    expect((await h.api('PUT', '/jobs/other/1?interval=PT1H&immediate=true')).status).toBe(201);
    for (let i = 0; i < 7; i++) {
      expect(await h.scheduler.runOnce()).toBeGreaterThan(0);
      h.clock.advance(MIN);
    }
    expect((await runs(h)).json.runs.map((r: any) => r.attempt)).toHaveLength(3);
    expect((await h.api('GET', '/jobs/other/1/runs')).json.runs).toHaveLength(1);
    // Past maxAge the other job's only run goes at the next trim (every 10 s of the clock at most).
    h.clock.advance(11 * MIN);
    expect(await h.scheduler.runOnce()).toBe(1);
    await h.history.flush();
    expect((await h.api('GET', '/jobs/other/1/runs')).json.runs).toHaveLength(0);
    expect((await runs(h)).json.runs).toHaveLength(1);
  });
});
