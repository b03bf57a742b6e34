import { DateTime } from 'luxon';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';

const LA = 'America/Los_Angeles';
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Wall time in a zone → epoch ms. */
function wall(text: string, zone = LA): number {
  return DateTime.fromISO(text, { zone }).toMillis();
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

async function put(harness: Harness, path: string, query: string): Promise<any> {
  const res = await harness.api('PUT', `/jobs/${path}?${query}`);
  expect(res.status, res.text).toBe(201);
  return res.json;
}

async function nextRun(harness: Harness, path: string): Promise<number | null> {
  const res = await harness.api('GET', `/jobs/${path}`);
  expect(res.status, res.text).toBe(200);
  return res.json.next_run === null ? null : Date.parse(res.json.next_run);
}

describe('recurrence vectors (spec §2), fixed intervals, clock moved to each checkpoint', () => {
  const monthly = Array.from({ length: 12 }, (_, i) => DateTime.fromISO('2020-01-20T14:09', { zone: LA }).plus({ months: i + 1 }).toFormat("yyyy-MM-dd'T'HH:mm"));
  const vectors: { name: string; start: string; interval: string; zone?: string; checkpoints: string[] }[] = [
    { name: 'daily', start: '2020-01-13T14:09', interval: 'P1D', checkpoints: ['2020-01-14T14:09', '2020-01-15T14:09', '2020-01-16T14:09'] },
    { name: 'daily across DST', start: '2020-03-05T14:09', interval: 'P1D', checkpoints: ['2020-03-06T14:09', '2020-03-07T14:09', '2020-03-08T14:09', '2020-03-09T14:09'] },
    { name: 'daily across DST, location UTC', start: '2020-03-05T14:09', interval: 'P1D', zone: 'UTC', checkpoints: ['2020-03-06T14:09', '2020-03-07T14:09', '2020-03-08T14:09', '2020-03-09T14:09'] },
    { name: '24-hourly across DST', start: '2020-03-05T14:09', interval: 'PT24H', checkpoints: ['2020-03-06T14:09', '2020-03-07T14:09', '2020-03-08T15:09', '2020-03-09T15:09'] },
    { name: 'weekly', start: '2020-01-13T14:09', interval: 'P1W', checkpoints: ['2020-01-20T14:09', '2020-01-27T14:09', '2020-02-03T14:09'] },
    { name: 'monthly', start: '2020-01-20T14:09', interval: 'P1M', checkpoints: monthly },
    { name: 'monthly with roll-over', start: '2020-07-31T14:09', interval: 'P1M', checkpoints: ['2020-08-31T14:09', '2020-10-01T14:09', '2020-11-01T14:09'] },
    // Fixed intervals keep their phase across DST: 02:30 does not exist on the spring-forward day.
    { name: 'daily 02:30 through the New York gap', start: '2026-03-07T02:30', interval: 'P1D', zone: 'America/New_York', checkpoints: ['2026-03-08T03:30', '2026-03-09T02:30', '2026-03-10T02:30'] },
    { name: "daily 02:15 through Lord Howe's 30-minute gap", start: '2026-10-03T02:15', interval: 'P1D', zone: 'Australia/Lord_Howe', checkpoints: ['2026-10-04T02:45', '2026-10-05T02:15', '2026-10-06T02:15'] },
    { name: 'yearly across leap year', start: '2020-01-20T14:09', interval: 'P1Y', checkpoints: ['2021-01-20T14:09', '2022-01-20T14:09', '2023-01-20T14:09', '2024-01-20T14:09', '2025-01-20T14:09'] },
  ];

  for (const v of vectors) {
    it(v.name, async () => {
      const zone = v.zone ?? LA;
      const start = wall(v.start, zone);
      h = await startHarness({ start, fixedIntervals: true });
      const firstRun = DateTime.fromMillis(start + 5000, { zone }).toISO()!;
      await put(h, 'vector/1', `interval=${v.interval}&location=${zone}&first-run=${encodeURIComponent(firstRun)}`);

      h.clock.set(start + 4999);
      expect(await h.scheduler.runOnce()).toBe(0);
      h.clock.set(start + 5000);
      expect(await h.scheduler.runOnce()).toBe(1);

      for (const checkpoint of v.checkpoints) {
        const due = wall(checkpoint, zone) + 5000;
        h.clock.set(due - 1);
        expect(await h.scheduler.runOnce(), `not before ${checkpoint}`).toBe(0);
        expect(await nextRun(h, 'vector/1'), `next run for ${checkpoint}`).toBe(due);
        h.clock.set(due);
        expect(await h.scheduler.runOnce(), `at ${checkpoint}`).toBe(1);
        const post = h.endpoint.received.at(-1)!;
        expect(Date.parse(String(post.headers['dalga-sched']))).toBe(due);
      }
      expect(h.endpoint.received).toHaveLength(v.checkpoints.length + 1);
    });
  }
});

describe('enable and disable scenario vectors (spec §5)', () => {
  const scenarios = [
    { name: 'brief pause', fixed: false, status: 200, at: [2 * 3600, 3 * 3600], runAt: 6 * 3600 },
    { name: 'brief pause', fixed: true, status: 200, at: [2 * 3600, 3 * 3600], runAt: 6 * 3600 },
    { name: 'pause during retry', fixed: false, status: 400, at: [3630, 3645], runAt: 3660 },
    { name: 'pause during retry', fixed: true, status: 400, at: [3630, 3645], runAt: 6 * 3600 },
    { name: 'pass over schedule point', fixed: false, status: 200, at: [2 * 3600, 7 * 3600], runAt: 6 * 3600 },
    { name: 'pass over schedule point', fixed: true, status: 200, at: [2 * 3600, 7 * 3600], runAt: 11 * 3600 },
  ];
  for (const s of scenarios) {
    it(`${s.name}, fixed intervals ${s.fixed}`, async () => {
      const start = wall('2020-01-13T14:09');
      h = await startHarness({ start, fixedIntervals: s.fixed });
      h.endpoint.respond = s.status;
      const firstRun = DateTime.fromMillis(start + 3600_000, { zone: LA }).toISO()!;
      await put(h, 'scenario/1', `interval=PT5H&location=${LA}&first-run=${encodeURIComponent(firstRun)}`);

      h.clock.set(start + 3600_000);
      expect(await h.scheduler.runOnce()).toBe(1);

      h.clock.set(start + s.at[0]! * 1000);
      const disabled = await h.api('PATCH', '/jobs/scenario/1?disable=true');
      expect(disabled.status).toBe(200);
      expect(disabled.json.next_run).toBeNull();

      h.clock.set(start + s.at[1]! * 1000);
      const enabled = await h.api('PATCH', '/jobs/scenario/1?enable=true');
      expect(enabled.status).toBe(200);
      expect(iso(Date.parse(enabled.json.next_run))).toBe(iso(start + s.runAt * 1000));
    });
  }
});

describe('execution outcomes (spec §4)', () => {
  it('retries a failing job by the retry formula, keeping dalga-sched', async () => {
    h = await startHarness({ retry: { intervalMs: 1000, multiplier: 2, maxIntervalMs: 10_000 } });
    h.endpoint.respond = 500;
    const t0 = h.clock.now();
    await put(h, 'retry/1', 'interval=PT1H&immediate=true');
    const expected = [1, 3, 7, 15];
    for (const next of expected) {
      expect(await h.scheduler.runOnce()).toBe(1);
      expect(await nextRun(h, 'retry/1')).toBe(t0 + next * 1000);
      h.clock.set(t0 + next * 1000);
    }
    const scheds = new Set(h.endpoint.received.map((p) => p.headers['dalga-sched']));
    expect(scheds.size).toBe(1);
    const job = (await h.api('GET', '/jobs/retry/1')).json;
    expect(job.failures).toBe(4);
    expect(job.last_status).toBe('500');
  });

  it('deletes a one-off job after 200', async () => {
    h = await startHarness();
    await put(h, 'once/1', 'one-off=true&immediate=true');
    expect(await h.scheduler.runOnce()).toBe(1);
    expect((await h.api('GET', '/jobs/once/1')).status).toBe(404);
    expect(h.endpoint.received[0]).toMatchObject({ method: 'POST', url: '/once', body: '1' });
    expect(h.endpoint.received[0]!.headers['content-type']).toBe('text/plain');
    expect(h.endpoint.received[0]!.headers['dalga-instance']).toBe(String(h.instanceId));
  });

  it('deletes a periodic job when the endpoint answers 204', async () => {
    h = await startHarness();
    await put(h, 'gone/1', 'interval=60&immediate=true');
    h.endpoint.respond = 204;
    expect(await h.scheduler.runOnce()).toBe(1);
    expect((await h.api('GET', '/jobs/gone/1')).status).toBe(404);
  });

  it('treats other 2xx answers as failures', async () => {
    h = await startHarness();
    await put(h, 'accepted/1', 'interval=60&immediate=true');
    h.endpoint.respond = 202;
    await h.scheduler.runOnce();
    const job = (await h.api('GET', '/jobs/accepted/1')).json;
    expect(job.failures).toBe(1);
    expect(Date.parse(job.next_run)).toBe(h.clock.now() + 60_000);
  });

  it('schedules the next occurrence from now after a success', async () => {
    h = await startHarness();
    await put(h, 'periodic/1', 'interval=PT60S');
    h.clock.advance(60_000 + 2500); // ran late
    expect(await h.scheduler.runOnce()).toBe(1);
    const job = (await h.api('GET', '/jobs/periodic/1')).json;
    expect(Date.parse(job.next_sched)).toBe(h.clock.now() + 60_000);
    expect(job.next_run).toBe(job.next_sched);
    expect(job.last_status).toBe('200');
    expect(job.failures).toBe(0);
  });

  it('randomises the next occurrence within the factor', async () => {
    h = await startHarness({ randomizationFactor: 0.5, random: () => 1 - Number.EPSILON });
    await put(h, 'random/1', 'interval=100&immediate=true');
    await h.scheduler.runOnce();
    const next = (await nextRun(h, 'random/1'))! - h.clock.now();
    expect(next).toBeGreaterThan(100_000);
    expect(next).toBeLessThanOrEqual(150_000);
  });

  it('disables a one-off job whose retries are exhausted, and moves a periodic one on', async () => {
    h = await startHarness({ retry: { intervalMs: 1000, multiplier: 1, maxIntervalMs: 1000, stopAfterMs: 2500 } });
    h.endpoint.respond = 503;
    const t0 = h.clock.now();
    await put(h, 'once/2', 'one-off=true&immediate=true');
    await put(h, 'every/2', 'interval=PT1H&immediate=true');
    for (let i = 0; i < 3; i++) {
      await h.scheduler.runOnce();
      h.clock.advance(1000);
    }
    const once = (await h.api('GET', '/jobs/once/2')).json;
    expect(once.next_run).toBeNull();
    expect(once.last_status).toBe('503');
    const every = (await h.api('GET', '/jobs/every/2')).json;
    expect(Date.parse(every.next_sched)).toBeGreaterThanOrEqual(t0 + 3600_000);
    expect(every.next_run).not.toBeNull();
  });

  it('keeps a job disabled when it is disabled while executing', async () => {
    h = await startHarness();
    await put(h, 'busy/1', 'interval=60&immediate=true');
    h.endpoint.hold = true;
    const run = h.scheduler.runOnce();
    await h.endpoint.waitFor(1);
    const during = await h.api('PATCH', '/jobs/busy/1?disable=true');
    expect(during.json.next_run).toBeNull();
    expect(during.json.instance_id).toBe(h.instanceId);
    h.endpoint.release();
    await run;
    const after = (await h.api('GET', '/jobs/busy/1')).json;
    expect(after.next_run).toBeNull();
    expect(after.instance_id).toBeNull();
    expect(after.last_status).toBe('200');
  });

  it('leaves a job replaced while executing as it was replaced', async () => {
    h = await startHarness();
    await put(h, 'swap/1', 'interval=60&immediate=true');
    h.endpoint.hold = true;
    const run = h.scheduler.runOnce();
    await h.endpoint.waitFor(1);
    const replaced = await put(h, 'swap/1', 'interval=PT2H');
    h.endpoint.release();
    await run;
    const after = (await h.api('GET', '/jobs/swap/1')).json;
    expect(after.interval).toBe('PT2H');
    expect(after.next_run).toBe(replaced.next_run);
  });

  it('runs at most maxRunning jobs at once', async () => {
    h = await startHarness({ maxRunning: 2 });
    for (const b of ['a', 'b', 'c']) await put(h, `limit/${b}`, 'one-off=true&immediate=true');
    expect(await h.scheduler.runOnce()).toBe(2);
    expect(await h.scheduler.runOnce()).toBe(1);
  });

  it('records an unreachable endpoint as a failure and retries', async () => {
    h = await startHarness();
    await put(h, 'down/1', 'interval=60&immediate=true');
    await h.endpoint.close();
    await h.scheduler.runOnce();
    const job = (await h.api('GET', '/jobs/down/1')).json;
    expect(job.failures).toBe(1);
    expect(job.last_status).toMatch(/connection refused/);
  });

  it('times out a slow endpoint after endpoint.timeout', async () => {
    h = await startHarness({ endpointTimeoutMs: 200 });
    h.endpoint.hold = true;
    await put(h, 'slow/1', 'interval=60&immediate=true');
    await h.scheduler.runOnce();
    const job = (await h.api('GET', '/jobs/slow/1')).json;
    expect(job.last_status).toMatch(/timeout/);
    expect(job.failures).toBe(1);
  });

  it('never lets an unreadable row block the others', async () => {
    h = await startHarness();
    const now = h.clock.now();
    await h.store.putJob({ path: 'bad', body: '1', interval: 'P-5S', location: '', nextRun: now, nextSched: now });
    await put(h, 'good/1', 'interval=60&immediate=true');
    expect(await h.scheduler.runOnce()).toBe(2);
    expect(h.endpoint.received.map((p) => p.url)).toEqual(['/good']);
    const bad = (await h.store.getJob({ path: 'bad', body: '1' }))!;
    expect(bad.nextRun).toBeNull();
    expect(bad.lastStatus).toMatch(/invalid interval/);
  });
});

describe('waking', () => {
  it('wakes at once for an immediate job scheduled while it sleeps, without the clock moving', async () => {
    h = await startHarness();
    h.scheduler.start();
    await new Promise((r) => setImmediate(r));
    await put(h, 'now/1', 'one-off=true&immediate=true');
    const [post] = await h.endpoint.waitFor(1);
    expect(post!.url).toBe('/now');
  });

  it('wakes exactly when the earliest job falls due', async () => {
    h = await startHarness();
    const t0 = h.clock.now();
    await put(h, 'soon/1', `one-off=true&first-run=${encodeURIComponent(new Date(t0 + 250).toISOString())}`);
    h.scheduler.start();
    await new Promise((r) => setTimeout(r, 20));
    h.clock.set(t0 + 249);
    await new Promise((r) => setTimeout(r, 20));
    expect(h.endpoint.received).toHaveLength(0);
    h.clock.set(t0 + 250);
    await h.endpoint.waitFor(1);
    expect(h.endpoint.received).toHaveLength(1);
  });

  it('claims a job ahead of its instant and holds it until then, never firing early', async () => {
    h = await startHarness({ claimAheadMs: 50 });
    const t0 = h.clock.now();
    await put(h, 'ahead/1', `one-off=true&first-run=${encodeURIComponent(new Date(t0 + 250).toISOString())}`);
    h.clock.set(t0 + 199);
    expect(await h.scheduler.runOnce()).toBe(0);
    h.clock.set(t0 + 200);
    const run = h.scheduler.runOnce();
    await expect.poll(async () => (await h!.store.getJob({ path: 'ahead', body: '1' }))?.instanceId).toBe(h.instanceId);
    h.clock.set(t0 + 249);
    await new Promise((r) => setTimeout(r, 20));
    expect(h.endpoint.received).toHaveLength(0);
    h.clock.set(t0 + 250);
    expect(await run).toBe(1);
    expect(h.endpoint.received).toHaveLength(1);
    expect(Date.parse(String(h.endpoint.received[0]!.headers['dalga-sched']))).toBe(t0 + 250);
  });
});
