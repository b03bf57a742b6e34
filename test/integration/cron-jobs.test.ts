// Cron jobs, run now and missed runs through the real API, scheduler, delivery and an in-memory
// SQLite store, with a fake clock: nothing sleeps waiting for a schedule.
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const enc = encodeURIComponent;
const sched = (h: Harness): string[] => h.endpoint.received.map((p) => String(p.headers['dalga-sched']));

describe('PUT with cron', () => {
  it('schedules in the job zone: 14:09 Los Angeles, shown with the expression', async () => {
    h = await startHarness({ start: '2026-12-01T12:00:00Z' });
    const put = await h.api('PUT', `/jobs/report/daily?cron=${enc('9 14 * * *')}&location=America/Los_Angeles`);
    expect(put.status).toBe(201);
    expect(put.json).toMatchObject({
      cron: '9 14 * * *',
      location: 'America/Los_Angeles',
      next_run: '2026-12-01T14:09:00-08:00',
      interval: 'P1000Y',
      misfire: 'once',
      catchup: 'PT1H',
    });
    expect((await h.api('GET', '/jobs/report/daily')).json).toEqual(put.json);
  });

  it('first-run is "not before": 02:30 on the spring-forward day runs at 03:30 EDT', async () => {
    h = await startHarness({ start: '2026-03-01T00:00:00Z' });
    const put = await h.api('PUT', `/jobs/p/b?cron=${enc('30 2 * * *')}&location=America/New_York&first-run=2026-03-08T00:00:00-05:00`);
    expect(put.json.next_run).toBe('2026-03-08T03:30:00-04:00');
  });

  it('immediate runs once now, then follows the expression', async () => {
    h = await startHarness({ start: '2026-01-05T10:00:00Z' });
    const put = await h.api('PUT', `/jobs/p/b?cron=${enc('0 12 * * *')}&immediate=true`);
    expect(put.json.next_run).toBe('2026-01-05T10:00:00Z');
    await h.scheduler.runOnce();
    expect((await h.api('GET', '/jobs/p/b')).json.next_run).toBe('2026-01-05T12:00:00Z');
  });

  it.each([
    [`cron=${enc('0 12 * * *')}&interval=60`, 'invalid params: a cron job takes no interval: give cron or interval, not both'],
    [`cron=${enc('0 12 * * *')}&one-off=true`, 'invalid params: a cron job is periodic: one-off cannot be combined with cron'],
    [`cron=${enc('0 25 * * *')}`, 'cannot parse cron: invalid hour field "25"'],
    [`cron=${enc('0 0 30 2 *')}`, 'cannot parse cron: cron expression "0 0 30 2 *" never matches a date'],
    [`cron=${enc('* * *')}`, 'cannot parse cron: cron expression needs 5 fields (minute hour day-of-month month day-of-week) or 6 (with leading seconds), got 3'],
    [`interval=60&misfire=sometimes`, 'cannot parse misfire: misfire must be once, skip or all, not "sometimes"'],
    [`interval=60&catchup=P1M`, 'cannot parse catchup: catchup takes weeks, days, hours, minutes and seconds, not years or months: "P1M"'],
    [`interval=60&one-off=true&misfire=all`, 'invalid params: misfire and catchup apply to periodic jobs, not to one-off jobs'],
  ])('%s is a 400 that says why', async (query, message) => {
    h = await startHarness();
    const reply = await h.api('PUT', `/jobs/p/b?${query}`);
    expect({ status: reply.status, text: reply.text.trim() }).toEqual({ status: 400, text: message });
    expect((await h.api('GET', '/jobs/p/b')).status).toBe(404);
  });

  it('delivers a 6-field job every 2 s on the second', async () => {
    h = await startHarness({ start: '2026-01-01T00:00:00.300Z' });
    await h.api('PUT', `/jobs/tick/t?cron=${enc('*/2 * * * * *')}`);
    for (const at of ['00:00:02', '00:00:04', '00:00:06']) {
      h.clock.set(`2026-01-01T${at}Z`);
      expect(await h.scheduler.runOnce()).toBe(1);
    }
    expect(sched(h)).toEqual(['2026-01-01T00:00:02Z', '2026-01-01T00:00:04Z', '2026-01-01T00:00:06Z']);
  });
});

describe('POST: run now', () => {
  it('delivers once at once, with the trigger time and a manual header, and keeps the next run', async () => {
    h = await startHarness({ start: '2026-01-05T10:00:00Z' });
    await h.api('PUT', `/jobs/report/daily?cron=${enc('0 12 * * *')}`);
    h.clock.set('2026-01-05T10:00:00.250Z');
    const post = await h.api('POST', '/jobs/report/daily');
    expect(post.status).toBe(202);
    expect(post.json).toMatchObject({ run_now: '2026-01-05T10:00:00.25Z', next_run: '2026-01-05T12:00:00Z' });
    expect((await h.api('POST', '/jobs/report/daily')).status).toBe(409);
    expect(await h.scheduler.runOnce()).toBe(1);
    expect(h.endpoint.received).toHaveLength(1);
    expect(h.endpoint.received[0]!.headers['dalga-sched']).toBe('2026-01-05T10:00:00.25Z');
    expect(h.endpoint.received[0]!.headers['dalga-trigger']).toBe('manual');
    expect((await h.api('GET', '/jobs/report/daily')).json).toMatchObject({ next_run: '2026-01-05T12:00:00Z', run_now: null, last_status: '200' });
    // The regular run comes with no trigger header.
    h.clock.set('2026-01-05T12:00:00Z');
    await h.scheduler.runOnce();
    expect(h.endpoint.received[1]!.headers['dalga-trigger']).toBeUndefined();
  });

  it('answers 404 for a missing job and 409 while the job runs', async () => {
    h = await startHarness();
    expect((await h.api('POST', '/jobs/none/x')).status).toBe(404);
    await h.api('PUT', '/jobs/p/b?interval=60&immediate=true');
    h.endpoint.hold = true;
    const running = h.scheduler.runOnce();
    await h.endpoint.waitFor(1);
    const busy = await h.api('POST', '/jobs/p/b');
    expect({ status: busy.status, text: busy.text.trim() }).toEqual({ status: 409, text: 'job is running — try again when it has finished' });
    h.endpoint.hold = false;
    h.endpoint.release();
    await running;
  });

  it('runs a disabled job, which stays disabled; a one-off job answering 200 is done', async () => {
    h = await startHarness();
    await h.api('PUT', '/jobs/p/b?interval=60');
    await h.api('PATCH', '/jobs/p/b?disable=true');
    expect((await h.api('POST', '/jobs/p/b')).status).toBe(202);
    await h.scheduler.runOnce();
    expect(h.endpoint.received).toHaveLength(1);
    expect((await h.api('GET', '/jobs/p/b')).json.next_run).toBeNull();
    await h.api('PUT', '/jobs/once/b?one-off=true&first-run=2030-01-01T00:00:00Z');
    await h.api('POST', '/jobs/once/b');
    await h.scheduler.runOnce();
    expect((await h.api('GET', '/jobs/once/b')).status).toBe(404);
  });
});

describe('missed runs', () => {
  // A job every minute, due three occurrences ago: what a stopped daemon finds on restart.
  async function missedThree(misfire: string): Promise<void> {
    h = await startHarness({ start: '2026-01-05T10:00:30Z' });
    await h.api('PUT', `/jobs/m/b?cron=${enc('* * * * *')}&misfire=${misfire}&first-run=2026-01-05T09:58:00Z`);
    for (let i = 0; i < 6 && (await h.scheduler.runOnce()) > 0; i++);
  }

  it('all: every missed occurrence, each with its own dalga-sched, oldest first, then the next one', async () => {
    await missedThree('all');
    expect(sched(h)).toEqual(['2026-01-05T09:58:00Z', '2026-01-05T09:59:00Z', '2026-01-05T10:00:00Z']);
    expect((await h.api('GET', '/jobs/m/b')).json.next_run).toBe('2026-01-05T10:01:00Z');
  });

  it('once: one late run, then the next occurrence', async () => {
    await missedThree('once');
    expect(sched(h)).toEqual(['2026-01-05T09:58:00Z']);
    expect((await h.api('GET', '/jobs/m/b')).json.next_run).toBe('2026-01-05T10:01:00Z');
  });

  it('skip: nothing late, the next occurrence after now', async () => {
    await missedThree('skip');
    expect(sched(h)).toEqual([]);
    expect((await h.api('GET', '/jobs/m/b')).json).toMatchObject({ next_run: '2026-01-05T10:01:00Z', last_status: 'skipped 3 missed (misfire=skip)' });
  });

  it('all with catchup: occurrences older than the window are skipped and counted', async () => {
    h = await startHarness({ start: '2026-01-05T10:00:30Z' });
    await h.api('PUT', `/jobs/m/b?cron=${enc('* * * * *')}&misfire=all&catchup=PT90S&first-run=2026-01-05T09:50:00Z`);
    for (let i = 0; i < 15 && (await h.scheduler.runOnce()) > 0; i++);
    expect(sched(h)).toEqual(['2026-01-05T09:59:00Z', '2026-01-05T10:00:00Z']);
  });

  it('applies to interval jobs too', async () => {
    h = await startHarness({ start: '2026-01-05T10:00:30Z' });
    await h.api('PUT', '/jobs/i/b?interval=PT1M&misfire=all&first-run=2026-01-05T09:58:00Z');
    for (let i = 0; i < 6 && (await h.scheduler.runOnce()) > 0; i++);
    expect(sched(h)).toEqual(['2026-01-05T09:58:00Z', '2026-01-05T09:59:00Z', '2026-01-05T10:00:00Z']);
    // Caught up, an interval job continues as usual: now + interval (without jobs.fixedIntervals).
    expect((await h.api('GET', '/jobs/i/b')).json.next_run).toBe('2026-01-05T10:01:30Z');
  });
});
