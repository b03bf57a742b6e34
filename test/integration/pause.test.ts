// PUT /pause and DELETE /pause (README "Pausing everything"): the flag is the store's, deliveries
// stop while it is set, the API keeps accepting and changing jobs, and on resume each job that
// fell due runs by its missed-run rule.
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('pausing everything', () => {
  it('stops deliveries until resumed; the API still accepts and changes jobs; each missed job runs once on resume', async () => {
    h = await startHarness({ start: '2020-01-13T22:09:00Z' });
    const t0 = h.clock.now();
    expect((await h.api('GET', '/pause')).json).toEqual({ paused: false, paused_since: null });
    expect((await h.api('PUT', '/jobs/every/1?interval=PT10S&first-run=2020-01-13T22:09:05Z')).status).toBe(201);

    const paused = await h.api('PUT', '/pause');
    expect(paused.status).toBe(200);
    expect(paused.json).toEqual({ paused: true, paused_since: new Date(t0).toISOString() });
    h.clock.advance(1000);
    // A second PUT keeps the first time.
    expect((await h.api('PUT', '/pause')).json.paused_since).toBe(new Date(t0).toISOString());

    h.clock.advance(60_000);
    expect(await h.scheduler.runOnce()).toBe(0);
    // Jobs are still accepted, changed and asked to run while paused.
    expect((await h.api('PUT', '/jobs/new/1?interval=PT1M&immediate=true')).status).toBe(201);
    expect((await h.api('PATCH', '/jobs/every/1?disable=true')).status).toBe(200);
    expect((await h.api('PATCH', '/jobs/every/1?enable=true')).status).toBe(200);
    expect((await h.api('POST', '/jobs/new/1')).status).toBe(202);
    expect(await h.scheduler.runOnce()).toBe(0);
    expect(h.endpoint.received).toHaveLength(0);

    const status = await h.api('GET', '/status');
    expect(status.json).toMatchObject({ paused: true, paused_since: new Date(t0).toISOString() });
    // Go Dalga's fields first, ours after them.
    expect(Object.keys(status.json).slice(0, 7)).toEqual(['instance_id', 'instance_running_jobs', 'running_jobs', 'total_jobs', 'pending_jobs', 'total_instances', 'lag']);

    const resumed = await h.api('DELETE', '/pause');
    expect(resumed.json).toEqual({ paused: false, paused_since: null });
    expect(await h.scheduler.runOnce()).toBe(2);
    // One run each (misfire once), not one per missed occurrence.
    expect(h.endpoint.received.map((r) => r.url).sort()).toEqual(['/every', '/new']);
    expect((await h.api('GET', '/status')).json).toMatchObject({ paused: false, paused_since: null });
  });

  it('is read from the store: a pause set by another instance stops this one', async () => {
    h = await startHarness();
    expect((await h.api('PUT', '/jobs/a/1?interval=PT10S&immediate=true')).status).toBe(201);
    await h.store.setPaused(h.clock.now());
    expect(await h.scheduler.runOnce()).toBe(0);
    expect((await h.api('GET', '/pause')).json.paused).toBe(true);
    await h.store.setPaused(null);
    expect(await h.scheduler.runOnce()).toBe(1);
  });

  it('an instance that finds the flag set by another (or at its start) says so in its log, and when it is cleared', async () => {
    const lines: { msg: string; pausedSince?: string }[] = [];
    const schedulerLog = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    h = await startHarness({ schedulerLog });
    await h.store.setPaused(h.clock.now());
    expect(await h.scheduler.runOnce()).toBe(0);
    expect(await h.scheduler.runOnce()).toBe(0);
    expect(lines.filter((l) => l.msg.startsWith('deliveries paused'))).toEqual([
      expect.objectContaining({ msg: 'deliveries paused on every instance (the pause flag is set in the store); `dalga resume` resumes them', pausedSince: new Date(h.clock.now()).toISOString() }),
    ]);
    await h.store.setPaused(null);
    await h.scheduler.runOnce();
    expect(lines.filter((l) => l.msg.startsWith('deliveries resumed')).map((l) => l.msg)).toEqual(['deliveries resumed on every instance (the pause flag was cleared)']);
  });

  it('refuses a path prefix with one line, and other methods with 405', async () => {
    h = await startHarness();
    const prefix = await h.api('PUT', '/pause?path=reports');
    expect(prefix.status).toBe(400);
    expect(prefix.text).toMatch(/^pausing one path prefix is not supported — /);
    expect((await h.api('GET', '/pause')).json.paused).toBe(false);
    const post = await h.api('POST', '/pause');
    expect(post.status).toBe(405);
  });
});
