// One contract for every Store: test/integration/sqlite-store.test.ts, mysql-store.test.ts and
// postgres-store.test.ts run it unchanged against a real SQLite file, a real MariaDB database
// and a real PostgreSQL schema.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Job, JobKey, ListOrder, ListPosition, NewJob, Outcome } from '../../src/schedule/job.js';
import type { RunRecord, Store } from '../../src/store/store.js';

/**
 * `makeStore` answers a store with its tables created, on fresh empty tables each call.
 * `openPeer`, when given, opens a second store on the same tables as `store` (another
 * "instance" with its own connections); without it the concurrency test shares one store.
 */
export function describeStoreContract(
  name: string,
  makeStore: () => Promise<Store>,
  openPeer?: (store: Store) => Promise<Store>,
): void {
  describe(`Store contract: ${name}`, () => {
    const T0 = Date.UTC(2020, 0, 13, 22, 9, 0, 0);
    const SEC = 1000;
    let store: Store;
    const opened: Store[] = [];

    beforeEach(async () => {
      store = await makeStore();
      opened.push(store);
    });

    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close();
    });

    const job = (path: string, body = 'b', at = T0, extra: Partial<NewJob> = {}): NewJob => ({
      path,
      body,
      interval: 'PT60S',
      location: '',
      nextRun: at,
      nextSched: at,
      ...extra,
    });

    const disable = (key: JobKey): Promise<Job | null> =>
      store.updateSchedule(key, (j) => ({ nextRun: null, nextSched: j.nextSched }));

    const update = (j: Job, instanceId: number, fields: Partial<Extract<Outcome, { kind: 'update' }>> = {}): Outcome => ({
      kind: 'update',
      id: j.id,
      key: { path: j.path, body: j.body },
      instanceId,
      claimToken: j.claimToken,
      nextRun: T0 + 100 * SEC,
      nextSched: T0 + 100 * SEC,
      lastRun: T0 + 1 * SEC,
      lastStatus: '200',
      failures: 0,
      ...fields,
    });

    const remove = (j: Job, instanceId: number): Outcome => ({ kind: 'delete', id: j.id, key: { path: j.path, body: j.body }, instanceId, claimToken: j.claimToken });

    const keys = (jobs: readonly Job[]): string[] => jobs.map((j) => j.path);

    describe('tables', () => {
      it('createTables is idempotent and keeps the jobs', async () => {
        await store.putJob(job('keep'));
        await store.createTables();
        await store.createTables();
        expect((await store.getJob({ path: 'keep', body: 'b' }))?.path).toBe('keep');
      });

      it('reports its kind and a server clock', async () => {
        expect(['sqlite', 'mysql', 'postgres']).toContain(store.kind);
        const now = await store.serverNow();
        expect(Number.isInteger(now)).toBe(true);
        expect(Math.abs(now - Date.now())).toBeLessThan(3_600_000);
      });
    });

    describe('put, get, replace, delete', () => {
      it('stores a new job and answers it as stored', async () => {
        const put = await store.putJob(job('check_feed', '1234', T0 + 5 * SEC, { interval: 'P1D', location: 'America/Los_Angeles', nextSched: T0 + 7 * SEC }));
        expect(put).toEqual({
          id: put.id,
          path: 'check_feed',
          body: '1234',
          interval: 'P1D',
          location: 'America/Los_Angeles',
          nextRun: T0 + 5 * SEC,
          nextSched: T0 + 7 * SEC,
          instanceId: null,
          lastRun: null,
          lastStatus: null,
          failures: 0,
          claimToken: null,
          cron: null,
          misfire: 'once',
          catchup: 'PT1H',
          runNow: null,
          schedAnchor: T0 + 7 * SEC,
        });
        expect(put.id).toBeGreaterThan(0);
        expect(await store.getJob({ path: 'check_feed', body: '1234' })).toEqual(put);
      });

      it('answers null for a missing job, matching path and body exactly', async () => {
        await store.putJob(job('p', 'b'));
        expect(await store.getJob({ path: 'p', body: 'x' })).toBeNull();
        expect(await store.getJob({ path: 'x', body: 'b' })).toBeNull();
        expect(await store.getJob({ path: 'P', body: 'b' })).toBeNull();
      });

      it("reads Go Dalga's one-off interval '' as P0D, in every read", async () => {
        await store.putJob(job('go-once', 'b', T0, { interval: '' }));
        expect((await store.getJob({ path: 'go-once', body: 'b' }))?.interval).toBe('P0D');
        expect((await store.listJobs({ order: 'insert-order', reverse: false, limit: 10 })).map((j) => j.interval)).toEqual(['P0D']);
        await store.heartbeat(1, T0);
        expect((await store.claimDue(1, T0, 10)).map((j) => j.interval)).toEqual(['P0D']);
      });

      it('keeps keys byte-exact: trailing spaces make another job, and deleting one keeps the other', async () => {
        const plain = await store.putJob(job('report', 'daily'));
        const padded = await store.putJob(job('report ', 'daily  ', T0 + SEC));
        expect(padded.id).not.toBe(plain.id);
        expect((await store.getJob({ path: 'report', body: 'daily' }))?.nextRun).toBe(T0);
        expect((await store.getJob({ path: 'report ', body: 'daily  ' }))?.nextRun).toBe(T0 + SEC);
        expect(await store.getJob({ path: 'report', body: 'daily ' })).toBeNull();
        await store.deleteJob({ path: 'report ', body: 'daily  ' });
        expect(await store.getJob({ path: 'report ', body: 'daily  ' })).toBeNull();
        expect((await store.getJob({ path: 'report', body: 'daily' }))?.id).toBe(plain.id);
        expect((await store.listJobs({ path: 'report', order: 'insert-order', reverse: false, limit: 10 })).map((j) => j.path)).toEqual(['report']);
      });

      it('numbers jobs in insert order', async () => {
        const a = await store.putJob(job('a'));
        const b = await store.putJob(job('b'));
        const c = await store.putJob(job('c'));
        expect(a.id).toBeLessThan(b.id);
        expect(b.id).toBeLessThan(c.id);
      });

      it('replaces a job: keeps its id, loses its claim, last result and failures', async () => {
        const first = await store.putJob(job('r'));
        await store.heartbeat(1, T0);
        const [claimed] = await store.claimDue(1, T0, 10);
        expect(claimed?.instanceId).toBe(1);
        // The outcome is recorded and the job is claimed again, so it has history and a claim.
        await store.recordOutcomes([update(claimed!, 1, { nextRun: T0, lastStatus: '500', failures: 3 })]);
        await store.claimDue(1, T0, 10);
        const replaced = await store.putJob(job('r', 'b', T0 + 9 * SEC, { interval: 'PT5H', location: 'Europe/Istanbul' }));
        expect(replaced).toEqual({
          ...first,
          interval: 'PT5H',
          location: 'Europe/Istanbul',
          nextRun: T0 + 9 * SEC,
          nextSched: T0 + 9 * SEC,
          schedAnchor: T0 + 9 * SEC,
        });
        expect(await store.getJob({ path: 'r', body: 'b' })).toEqual(replaced);
      });

      it('deletes a job, and deleting a missing one is no error', async () => {
        await store.putJob(job('d', 'b'));
        await store.putJob(job('d', 'other'));
        await store.deleteJob({ path: 'd', body: 'b' });
        expect(await store.getJob({ path: 'd', body: 'b' })).toBeNull();
        expect(await store.getJob({ path: 'd', body: 'other' })).not.toBeNull();
        await expect(store.deleteJob({ path: 'nope', body: 'nope' })).resolves.toBeUndefined();
      });

      it('round-trips 255-character unicode paths and bodies, astral characters included', async () => {
        const path = '😀ğüşİ/?#%a'.repeat(25) + 'çöğüş';
        const body = 'ж😁'.repeat(127) + '✓';
        expect([...path]).toHaveLength(255);
        expect([...body]).toHaveLength(255);
        const put = await store.putJob(job(path, body));
        expect(put.path).toBe(path);
        expect(put.body).toBe(body);
        expect(await store.getJob({ path, body })).toEqual(put);
        // Different astral characters are different keys.
        const other = await store.putJob(job('😃', '🙂'));
        const again = await store.putJob(job('😄', '🙃'));
        expect(other.id).not.toBe(again.id);
        expect((await store.getJob({ path: '😃', body: '🙂' }))?.id).toBe(other.id);
      });

      it('keeps millisecond precision', async () => {
        const at = T0 + 123;
        await store.putJob(job('ms', 'b', at, { nextSched: at + 1 }));
        const got = await store.getJob({ path: 'ms', body: 'b' });
        expect(got?.nextRun).toBe(at);
        expect(got?.nextSched).toBe(at + 1);
        await store.heartbeat(1, at);
        expect(await store.claimDue(1, at - 1, 10)).toEqual([]);
        const [claimed] = await store.claimDue(1, at, 10);
        expect(claimed?.nextRun).toBe(at);
        await store.recordOutcomes([update(claimed!, 1, { nextRun: at + 2, nextSched: at + 3, lastRun: at + 4 })]);
        const after = await store.getJob({ path: 'ms', body: 'b' });
        expect([after?.nextRun, after?.nextSched, after?.lastRun]).toEqual([at + 2, at + 3, at + 4]);
      });

      it('stores values it cannot interpret as given: the store does not parse intervals', async () => {
        await store.putJob(job('bad', 'b', T0, { interval: 'P-5S', location: 'Not/A_Zone' }));
        await store.putJob(job('good', 'b', T0 + 1));
        await store.heartbeat(1, T0);
        const claimed = await store.claimDue(1, T0 + 1, 10);
        expect(keys(claimed)).toEqual(['bad', 'good']);
        expect(claimed[0]?.interval).toBe('P-5S');
      });
    });

    describe('updateSchedule', () => {
      it('writes what `change` computes and answers the stored job', async () => {
        const put = await store.putJob(job('u'));
        const changed = await store.updateSchedule({ path: 'u', body: 'b' }, (j) => {
          expect(j).toEqual(put);
          return { nextRun: null, nextSched: T0 + 5 * SEC };
        });
        expect(changed).toEqual({ ...put, nextRun: null, nextSched: T0 + 5 * SEC });
        expect(await store.getJob({ path: 'u', body: 'b' })).toEqual(changed);
        const enabled = await store.updateSchedule({ path: 'u', body: 'b' }, () => ({ nextRun: T0 + 6 * SEC, nextSched: T0 + 6 * SEC }));
        expect(enabled?.nextRun).toBe(T0 + 6 * SEC);
        expect(await store.getJob({ path: 'u', body: 'b' })).toEqual(enabled);
      });

      it('changes nothing when `change` answers null', async () => {
        const put = await store.putJob(job('u'));
        expect(await store.updateSchedule({ path: 'u', body: 'b' }, () => null)).toEqual(put);
        expect(await store.getJob({ path: 'u', body: 'b' })).toEqual(put);
      });

      it('answers null for a missing job without calling `change`', async () => {
        let called = false;
        const result = await store.updateSchedule({ path: 'missing', body: 'b' }, () => {
          called = true;
          return null;
        });
        expect(result).toBeNull();
        expect(called).toBe(false);
      });

      it('serialises concurrent changes of one job', async () => {
        await store.putJob(job('c', 'b', T0, { nextSched: 0 }));
        const bump = (): Promise<Job | null> =>
          store.updateSchedule({ path: 'c', body: 'b' }, (j) => ({ nextRun: j.nextRun, nextSched: j.nextSched + 1 }));
        await Promise.all(Array.from({ length: 10 }, bump));
        expect((await store.getJob({ path: 'c', body: 'b' }))?.nextSched).toBe(10);
      });
    });

    describe('claimDue', () => {
      it('claims due jobs earliest first, up to the limit, for the instance', async () => {
        await store.putJob(job('t3', 'b', T0 - 1 * SEC));
        await store.putJob(job('t1', 'b', T0 - 3 * SEC));
        await store.putJob(job('t2', 'b', T0 - 2 * SEC));
        await store.putJob(job('t0', 'b', T0));
        await store.heartbeat(7, T0);
        const first = await store.claimDue(7, T0, 2);
        expect(keys(first)).toEqual(['t1', 't2']);
        expect(first.map((j) => j.instanceId)).toEqual([7, 7]);
        expect((await store.getJob({ path: 't1', body: 'b' }))?.instanceId).toBe(7);
        expect(keys(await store.claimDue(7, T0, 10))).toEqual(['t3', 't0']);
        expect(await store.claimDue(7, T0, 10)).toEqual([]);
      });

      it('answers every field of a claimed job as getJob does, times before 1970 and in year 9999 included', async () => {
        const before1970 = Date.UTC(1960, 5, 15, 12, 34, 56, 789);
        const year9999 = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
        await store.putJob(job('old', 'b', before1970, { nextSched: before1970 - 1, schedAnchor: year9999, cron: '0 0 * * *', misfire: 'all', catchup: 'PT2H' }));
        await store.putJob(job('plain', 'b', T0 - SEC));
        await store.heartbeat(3, T0);
        const claimed = await store.claimDue(3, T0, 10);
        expect(keys(claimed)).toEqual(['old', 'plain']);
        for (const c of claimed) {
          const stored = await store.getJob({ path: c.path, body: c.body });
          expect(c).toEqual(stored);
        }
        expect([claimed[0]!.nextRun, claimed[0]!.nextSched, claimed[0]!.schedAnchor]).toEqual([before1970, before1970 - 1, year9999]);
        expect(claimed[1]!.lastRun).toBeNull();
        expect(claimed[1]!.runNow).toBeNull();
        expect(typeof claimed[0]!.id).toBe('number');
        expect(typeof claimed[0]!.claimToken).toBe('number');
      });

      it('answers a run-now request with its request time', async () => {
        await store.putJob(job('later', 'b', T0 + 3600 * SEC));
        await store.heartbeat(3, T0);
        expect((await store.requestRun({ path: 'later', body: 'b' }, T0 - 7)).kind).toBe('requested');
        const [claimed] = await store.claimDue(3, T0, 10);
        expect(claimed?.runNow).toBe(T0 - 7);
        expect(claimed).toEqual(await store.getJob({ path: 'later', body: 'b' }));
      });

      it('skips claimed, disabled and future jobs', async () => {
        await store.putJob(job('claimed', 'b', T0 - 5 * SEC));
        await store.heartbeat(1, T0);
        await store.heartbeat(2, T0);
        expect(keys(await store.claimDue(1, T0, 1))).toEqual(['claimed']);
        await store.putJob(job('disabled', 'b', T0 - 4 * SEC));
        await disable({ path: 'disabled', body: 'b' });
        await store.putJob(job('future', 'b', T0 + 1));
        await store.putJob(job('now', 'b', T0));
        expect(keys(await store.claimDue(2, T0, 10))).toEqual(['now']);
        expect(await store.claimDue(2, T0, 10)).toEqual([]);
      });

      it('answers nothing for a limit of 0', async () => {
        await store.putJob(job('x'));
        await store.heartbeat(1, T0);
        expect(await store.claimDue(1, T0, 0)).toEqual([]);
      });

      it('never gives the same job to two concurrent claimers', async () => {
        const other = openPeer ? await openPeer(store) : store;
        if (other !== store) opened.push(other);
        for (let i = 0; i < 60; i++) await store.putJob(job(`j${i}`, 'b', T0 - (i % 7) * SEC));
        await store.heartbeat(1, T0);
        await store.heartbeat(2, T0);
        const got: Record<number, string[]> = { 1: [], 2: [] };
        for (let round = 0; round < 20; round++) {
          const [a, b] = await Promise.all([store.claimDue(1, T0, 7), other.claimDue(2, T0, 7)]);
          got[1]!.push(...keys(a));
          got[2]!.push(...keys(b));
        }
        const all = [...got[1]!, ...got[2]!];
        expect(new Set(all).size).toBe(all.length);
        expect(all.sort()).toEqual(Array.from({ length: 60 }, (_, i) => `j${i}`).sort());
        for (const [id, paths] of Object.entries(got)) {
          for (const path of paths.slice(0, 3)) expect((await store.getJob({ path, body: 'b' }))?.instanceId).toBe(Number(id));
        }
      });

      it('tells when the next unclaimed enabled job is due', async () => {
        expect(await store.nextDueAt()).toBeNull();
        await store.putJob(job('late', 'b', T0 + 9 * SEC));
        await store.putJob(job('soon', 'b', T0 + 2 * SEC + 5));
        await store.putJob(job('off', 'b', T0 + 1 * SEC));
        await disable({ path: 'off', body: 'b' });
        expect(await store.nextDueAt()).toBe(T0 + 2 * SEC + 5);
        await store.heartbeat(1, T0);
        await store.claimDue(1, T0 + 3 * SEC, 1);
        expect(await store.nextDueAt()).toBe(T0 + 9 * SEC);
      });
    });

    describe('cron, misfire and run-now', () => {
      const key = { path: 'report', body: 'daily' };

      it('stores a cron job with its misfire policy; a replacement takes the new ones', async () => {
        const put = await store.putJob(job('report', 'daily', T0, { interval: 'P1D', location: 'America/Los_Angeles', cron: '9 14 * * *', misfire: 'all', catchup: 'PT3H' }));
        expect(put).toMatchObject({ cron: '9 14 * * *', misfire: 'all', catchup: 'PT3H', runNow: null });
        expect(await store.getJob(key)).toEqual(put);
        const again = await store.putJob(job('report', 'daily', T0));
        expect(again).toMatchObject({ cron: null, misfire: 'once', catchup: 'PT1H' });
        expect(await store.getJob(key)).toEqual(again);
      });

      it('takes a run-now request for an idle job only, once, and tells a missing job', async () => {
        expect(await store.requestRun(key, T0)).toEqual({ kind: 'missing' });
        await store.putJob(job('report', 'daily', T0 + 3600 * SEC));
        const first = await store.requestRun(key, T0 + 5);
        expect(first.kind).toBe('requested');
        expect((await store.getJob(key))?.runNow).toBe(T0 + 5);
        expect((await store.requestRun(key, T0 + 6)).kind).toBe('busy');
        expect((await store.getJob(key))?.runNow).toBe(T0 + 5);
      });

      it('claims a run-now request before due jobs, although the job is not due, and the outcome clears it', async () => {
        await store.putJob(job('due', 'b', T0 - SEC));
        await store.putJob(job('report', 'daily', T0 + 3600 * SEC));
        await store.putJob(job('off', 'b', T0 + 60 * SEC));
        await disable({ path: 'off', body: 'b' });
        await store.requestRun(key, T0);
        await store.requestRun({ path: 'off', body: 'b' }, T0 + 1);
        expect(await store.nextDueAt()).toBe(T0 - SEC);
        await store.heartbeat(1, T0);
        const claimed = await store.claimDue(1, T0, 2);
        expect(keys(claimed)).toEqual(['report', 'off']);
        expect(claimed[0]?.runNow).toBe(T0);
        expect(claimed[1]?.nextRun).toBeNull();
        // A claimed job is busy: no second request while it runs.
        expect((await store.requestRun(key, T0 + 2)).kind).toBe('busy');
        await store.recordOutcomes(claimed.map((j) => update(j, 1, { nextRun: j.nextRun, nextSched: j.nextSched })));
        const after = await store.getJob(key);
        expect(after).toMatchObject({ runNow: null, instanceId: null, nextRun: T0 + 3600 * SEC, lastStatus: '200' });
        expect((await store.getJob({ path: 'off', body: 'b' }))?.nextRun).toBeNull();
        expect(keys(await store.claimDue(1, T0, 10))).toEqual(['due']);
      });

      it('finds unclaimed cron jobs parked far ahead (by a Go Dalga instance)', async () => {
        const far = T0 + 1000 * 365 * 86_400 * SEC;
        await store.putJob(job('parked', 'b', far, { cron: '0 9 * * *', interval: 'P1000Y' }));
        await store.putJob(job('interval', 'b', far));
        await store.putJob(job('soon', 'b', T0, { cron: '0 9 * * *', interval: 'P1000Y' }));
        expect(keys(await store.parkedCronJobs(T0 + 500 * 365 * 86_400 * SEC, 10))).toEqual(['parked']);
      });

      it('wakes for a pending run-now request', async () => {
        await store.putJob(job('report', 'daily', T0 + 3600 * SEC));
        await store.requestRun(key, T0 + 7);
        expect(await store.nextDueAt()).toBe(T0 + 7);
      });
    });

    describe('schedule anchor (fixed intervals keep their phase across DST)', () => {
      const key = { path: 'nightly', body: 'b' };

      it('keeps the anchor PUT stores through claim, outcome, disable, enable and listing', async () => {
        const anchor = T0 - 86_400 * SEC;
        const put = await store.putJob(job('nightly', 'b', T0, { interval: 'P1D', location: 'America/New_York', schedAnchor: anchor }));
        expect(put.schedAnchor).toBe(anchor);
        expect((await store.getJob(key))?.schedAnchor).toBe(anchor);
        await store.heartbeat(1, T0);
        const [claimed] = await store.claimDue(1, T0 + SEC, 10);
        expect(claimed).toMatchObject({ path: 'nightly', schedAnchor: anchor });
        await store.recordOutcomes([update(claimed!, 1, { nextRun: T0 + 86_400 * SEC, nextSched: T0 + 86_400 * SEC })]);
        expect(await store.getJob(key)).toMatchObject({ nextSched: T0 + 86_400 * SEC, instanceId: null, schedAnchor: anchor });
        await disable(key);
        const enabled = await store.updateSchedule(key, (j) => ({ nextRun: j.nextSched, nextSched: j.nextSched }));
        expect(enabled?.schedAnchor).toBe(anchor);
        const [listed] = await store.listJobs({ order: 'insert-order', reverse: false, limit: 10 });
        expect(listed?.schedAnchor).toBe(anchor);
      });

      it('updateSchedule writes a new anchor when `change` gives one, and keeps it otherwise', async () => {
        await store.putJob(job('nightly', 'b', T0, { schedAnchor: T0 - 9 * SEC }));
        const kept = await store.updateSchedule(key, () => ({ nextRun: T0 + SEC, nextSched: T0 + SEC }));
        expect(kept?.schedAnchor).toBe(T0 - 9 * SEC);
        expect((await store.getJob(key))?.schedAnchor).toBe(T0 - 9 * SEC);
        const moved = await store.updateSchedule(key, () => ({ nextRun: T0 + 2 * SEC, nextSched: T0 + 2 * SEC, schedAnchor: T0 + 2 * SEC }));
        expect(moved?.schedAnchor).toBe(T0 + 2 * SEC);
        expect(await store.getJob(key)).toEqual(moved);
      });

      it('defaults to next_sched, and a replacement takes the new one', async () => {
        expect((await store.putJob(job('nightly', 'b', T0, { nextSched: T0 + 5 * SEC }))).schedAnchor).toBe(T0 + 5 * SEC);
        await store.putJob(job('nightly', 'b', T0, { schedAnchor: T0 - 7 * SEC }));
        expect((await store.getJob(key))?.schedAnchor).toBe(T0 - 7 * SEC);
      });
    });

    describe('recordOutcomes', () => {
      async function claimAll(instanceId = 1): Promise<Map<string, Job>> {
        await store.heartbeat(instanceId, T0);
        const jobs = await store.claimDue(instanceId, T0 + 1000 * SEC, 1000);
        return new Map(jobs.map((j) => [j.path, j]));
      }

      it('deletes and updates claimed jobs in one batch', async () => {
        await store.putJob(job('del1'));
        await store.putJob(job('del2'));
        await store.putJob(job('upd', 'b', T0, { nextSched: T0 - 1 }));
        const claimed = await claimAll();
        await store.recordOutcomes([
          remove(claimed.get('del1')!, 1),
          update(claimed.get('upd')!, 1, { nextRun: T0 + 61 * SEC, nextSched: T0 + 60 * SEC, lastRun: T0 + SEC, lastStatus: 'timeout', failures: 2 }),
          remove(claimed.get('del2')!, 1),
        ]);
        expect(await store.getJob({ path: 'del1', body: 'b' })).toBeNull();
        expect(await store.getJob({ path: 'del2', body: 'b' })).toBeNull();
        expect(await store.getJob({ path: 'upd', body: 'b' })).toEqual({
          ...claimed.get('upd')!,
          claimToken: null,
          nextRun: T0 + 61 * SEC,
          nextSched: T0 + 60 * SEC,
          instanceId: null,
          lastRun: T0 + SEC,
          lastStatus: 'timeout',
          failures: 2,
        });
      });

      it('can disable a job (next_run NULL) when its retries are exhausted', async () => {
        await store.putJob(job('once'));
        const claimed = await claimAll();
        await store.recordOutcomes([update(claimed.get('once')!, 1, { nextRun: null, lastStatus: '500', failures: 5 })]);
        const after = await store.getJob({ path: 'once', body: 'b' });
        expect([after?.nextRun, after?.instanceId, after?.failures]).toEqual([null, null, 5]);
      });

      it('keeps a job disabled while it was running disabled', async () => {
        await store.putJob(job('off'));
        const claimed = await claimAll();
        await disable({ path: 'off', body: 'b' });
        await store.recordOutcomes([update(claimed.get('off')!, 1, { nextSched: T0 + 42 * SEC })]);
        const after = await store.getJob({ path: 'off', body: 'b' });
        expect([after?.nextRun, after?.nextSched, after?.instanceId, after?.lastStatus]).toEqual([null, T0 + 42 * SEC, null, '200']);
      });

      it('leaves alone a job replaced, deleted or claimed by another instance meanwhile', async () => {
        await store.putJob(job('replaced'));
        await store.putJob(job('replaced-del'));
        await store.putJob(job('cancelled'));
        await store.putJob(job('foreign'));
        const claimed = await claimAll();
        const replaced = await store.putJob(job('replaced', 'b', T0 + 77 * SEC));
        const replacedDel = await store.putJob(job('replaced-del', 'b', T0 + 78 * SEC));
        await store.deleteJob({ path: 'cancelled', body: 'b' });
        // 'foreign' is released by an expiry and claimed by instance 2.
        await store.recordOutcomes([update(claimed.get('foreign')!, 1, { nextRun: T0 })]);
        await store.heartbeat(2, T0);
        const [foreign] = await store.claimDue(2, T0, 10);
        expect(foreign?.path).toBe('foreign');
        await store.recordOutcomes([
          update(claimed.get('replaced')!, 1),
          remove(claimed.get('replaced-del')!, 1),
          update(claimed.get('cancelled')!, 1),
          update(claimed.get('foreign')!, 1),
          remove(claimed.get('foreign')!, 1),
        ]);
        expect(await store.getJob({ path: 'replaced', body: 'b' })).toEqual(replaced);
        expect(await store.getJob({ path: 'replaced-del', body: 'b' })).toEqual(replacedDel);
        expect(await store.getJob({ path: 'cancelled', body: 'b' })).toBeNull();
        expect(await store.getJob({ path: 'foreign', body: 'b' })).toEqual(foreign);
      });

      it('accepts an empty batch', async () => {
        await expect(store.recordOutcomes([])).resolves.toBe(0);
      });

      it('applies a large batch', async () => {
        for (let i = 0; i < 300; i++) await store.putJob(job(`big${i}`));
        const claimed = [...(await claimAll()).values()];
        expect(claimed).toHaveLength(300);
        await store.recordOutcomes(
          claimed.map((j, i): Outcome =>
            i % 3 === 0 ? remove(j, 1) : update(j, 1, { failures: i }),
          ),
        );
        const status = await store.status(1, T0);
        expect([status.totalJobs, status.runningJobs]).toEqual([200, 0]);
        // Jobs due at one instant come in no promised order: check by claim position.
        expect((await store.getJob(claimed[299]!))?.failures).toBe(299);
        expect(await store.getJob(claimed[297]!)).toBeNull();
      });
    });

    // Every claim sets a new token; an outcome is written only while its claim holds (issue 12).
    describe('claim fencing', () => {
      const once = (path: string, at = T0): NewJob => job(path, 'b', at, { interval: 'P0D' });
      const get = (path: string): Promise<Job | null> => store.getJob({ path, body: 'b' });
      async function claimOne(instanceId: number, at = T0): Promise<Job> {
        await store.heartbeat(instanceId, at);
        const [claimed] = await store.claimDue(instanceId, at, 10);
        expect(claimed?.claimToken).toEqual(expect.any(Number));
        return claimed!;
      }

      it('each claim sets a new token that the job carries while claimed, cleared by the outcome', async () => {
        await store.putJob(job('t'));
        const first = await claimOne(1);
        expect((await get('t'))?.claimToken).toBe(first.claimToken);
        expect(await store.recordOutcomes([update(first, 1, { nextRun: T0 })])).toBe(0);
        expect((await get('t'))?.claimToken).toBeNull();
        const second = await claimOne(1);
        expect(second.claimToken).not.toBe(first.claimToken);
      });

      it('a one-off replaced by a periodic job while it runs: the old "done" is dropped, the new job stays', async () => {
        await store.putJob(once('swap'));
        const old = await claimOne(1);
        const replacement = await store.putJob(job('swap', 'b', T0 + SEC, { interval: 'PT1H' }));
        expect(replacement.claimToken).toBeNull();
        const current = await claimOne(1, T0 + SEC);
        expect(current.interval).toBe('PT1H');
        expect(await store.recordOutcomes([remove(old, 1)])).toBe(1);
        expect(await get('swap')).toMatchObject({ interval: 'PT1H', instanceId: 1, claimToken: current.claimToken });
        expect(await store.recordOutcomes([update(current, 1, { nextRun: T0 + 3600 * SEC, nextSched: T0 + 3600 * SEC })])).toBe(0);
        expect(await get('swap')).toMatchObject({ interval: 'PT1H', nextRun: T0 + 3600 * SEC, instanceId: null, claimToken: null });
      });

      it('a periodic job replaced while it runs keeps the new schedule; the old outcome does not release the new claim', async () => {
        await store.putJob(job('p', 'b', T0, { interval: 'PT1M' }));
        const old = await claimOne(1);
        await store.putJob(job('p', 'b', T0 + SEC, { interval: 'PT5H' }));
        const current = await claimOne(1, T0 + SEC);
        expect(await store.recordOutcomes([update(old, 1, { nextRun: T0 + 60 * SEC, nextSched: T0 + 60 * SEC })])).toBe(1);
        expect(await get('p')).toMatchObject({ interval: 'PT5H', nextRun: T0 + SEC, instanceId: 1, claimToken: current.claimToken, lastRun: null });
      });

      it('both outcomes of one job in one batch (claimed, replaced, claimed again): only the current claim is written', async () => {
        await store.putJob(job('twice'));
        const old = await claimOne(1);
        await store.putJob(job('twice', 'b', T0, { interval: 'PT5H' }));
        const current = await claimOne(1);
        const dropped = await store.recordOutcomes([
          update(old, 1, { nextRun: T0 + 1 * SEC, lastStatus: 'old' }),
          update(current, 1, { nextRun: T0 + 2 * SEC, lastStatus: 'new' }),
        ]);
        expect(dropped).toBe(1);
        expect(await get('twice')).toMatchObject({ nextRun: T0 + 2 * SEC, lastStatus: 'new', instanceId: null });
      });

      it('a job cancelled while it runs stays cancelled; its outcome is dropped', async () => {
        await store.putJob(job('gone'));
        const claimed = await claimOne(1);
        await store.deleteJob({ path: 'gone', body: 'b' });
        expect(await store.recordOutcomes([update(claimed, 1)])).toBe(1);
        expect(await get('gone')).toBeNull();
      });

      it('a job disabled while it runs gets its outcome and stays disabled', async () => {
        await store.putJob(job('off'));
        const claimed = await claimOne(1);
        await disable({ path: 'off', body: 'b' });
        expect(await store.recordOutcomes([update(claimed, 1, { lastStatus: '500', failures: 1 })])).toBe(0);
        expect(await get('off')).toMatchObject({ nextRun: null, instanceId: null, claimToken: null, lastStatus: '500', failures: 1 });
      });

      it('a job disabled and enabled again while it runs gets its outcome and stays enabled', async () => {
        await store.putJob(job('onoff'));
        const claimed = await claimOne(1);
        await disable({ path: 'onoff', body: 'b' });
        await store.updateSchedule({ path: 'onoff', body: 'b' }, (j) => ({ nextRun: T0 + 5 * SEC, nextSched: j.nextSched }));
        expect(await store.recordOutcomes([update(claimed, 1, { nextRun: T0 + 60 * SEC })])).toBe(0);
        expect(await get('onoff')).toMatchObject({ nextRun: T0 + 60 * SEC, instanceId: null, claimToken: null });
      });

      it('a job claimed again after its instance expired: the old claim\'s late outcome is dropped', async () => {
        await store.putJob(once('orphan'));
        const old = await claimOne(1, T0);
        await store.heartbeat(2, T0 + 100 * SEC);
        expect(await store.expireInstances(T0 + 100 * SEC, 60 * SEC)).toBe(1);
        const current = await claimOne(2, T0 + 100 * SEC);
        expect(current.path).toBe('orphan');
        expect(await store.recordOutcomes([remove(old, 1)])).toBe(1);
        expect(await get('orphan')).toMatchObject({ instanceId: 2, claimToken: current.claimToken });
        expect(await store.recordOutcomes([remove(current, 2)])).toBe(0);
        expect(await get('orphan')).toBeNull();
      });

      it('the late outcome of an expired instance is dropped even before anyone claimed the job again', async () => {
        await store.putJob(job('late'));
        const old = await claimOne(1, T0);
        await store.heartbeat(2, T0 + 100 * SEC);
        await store.expireInstances(T0 + 100 * SEC, 60 * SEC);
        expect(await store.recordOutcomes([update(old, 1, { nextRun: T0 + 1000 * SEC })])).toBe(0 + 1);
        expect(await get('late')).toMatchObject({ nextRun: T0, instanceId: null });
        expect(await store.claimDue(2, T0 + 100 * SEC, 10)).toHaveLength(1);
      });
    });

    describe('listJobs', () => {
      // 23 jobs: next_sched and next_run with ties, 5 disabled, inserted in a shuffled order.
      async function fill(): Promise<Job[]> {
        const jobs: Job[] = [];
        for (let i = 0; i < 23; i++) {
          const k = (i * 7) % 23;
          const put = await store.putJob(job(`p${k % 3}`, `b${k}`, T0 + (k % 4) * SEC, { nextSched: T0 + (k % 5) * SEC }));
          jobs.push(k % 6 === 0 ? (await disable(put))! : put);
        }
        return jobs;
      }

      function expected(jobs: Job[], order: ListOrder, reverse: boolean): Job[] {
        const value = (j: Job): number => (order === 'next-sched' ? j.nextSched : order === 'next-run' ? (j.nextRun ?? Infinity) : 0);
        const sorted = [...jobs].sort((a, b) => value(a) - value(b) || a.id - b.id);
        return reverse ? sorted.reverse() : sorted;
      }

      function position(j: Job, order: ListOrder): ListPosition {
        if (order === 'insert-order') return { value: null, id: j.id };
        return { value: order === 'next-sched' ? j.nextSched : j.nextRun, id: j.id };
      }

      async function pageThrough(order: ListOrder, reverse: boolean, limit: number, path?: string): Promise<Job[]> {
        const seen: Job[] = [];
        let after: ListPosition | undefined;
        for (let page = 0; page < 100; page++) {
          const rows = await store.listJobs({ order, reverse, limit, ...(path === undefined ? {} : { path }), ...(after ? { after } : {}) });
          expect(rows.length).toBeLessThanOrEqual(limit);
          seen.push(...rows);
          if (rows.length < limit) return seen;
          after = position(rows[rows.length - 1]!, order);
        }
        throw new Error('paging did not end');
      }

      for (const order of ['insert-order', 'next-sched', 'next-run'] as const) {
        for (const reverse of [false, true]) {
          it(`pages through every row exactly once: ${order}${reverse ? ', reverse' : ''}`, async () => {
            const jobs = await fill();
            const want = expected(jobs, order, reverse);
            for (const limit of [1, 4, 7, 23, 100]) {
              expect(await pageThrough(order, reverse, limit)).toEqual(want);
            }
          });

          it(`filters by exact path: ${order}${reverse ? ', reverse' : ''}`, async () => {
            const jobs = await fill();
            const want = expected(jobs.filter((j) => j.path === 'p1'), order, reverse);
            expect(want.length).toBeGreaterThan(3);
            expect(await pageThrough(order, reverse, 3, 'p1')).toEqual(want);
            expect(await store.listJobs({ order, reverse, limit: 100, path: "nope' OR '1'='1" })).toEqual([]);
            expect(await store.listJobs({ order, reverse, limit: 100, path: 'p' })).toEqual([]);
          });
        }
      }

      it('answers nothing from an empty table or for a limit of 0', async () => {
        expect(await store.listJobs({ order: 'next-run', reverse: false, limit: 10 })).toEqual([]);
        await store.putJob(job('x'));
        expect(await store.listJobs({ order: 'insert-order', reverse: false, limit: 0 })).toEqual([]);
      });
    });

    describe('pause', () => {
      it('is off on new tables, keeps the first pause time, and resumes', async () => {
        expect(await store.pausedSince()).toBeNull();
        expect(await store.setPaused(T0 + 123)).toBe(T0 + 123);
        expect(await store.setPaused(T0 + 5 * SEC)).toBe(T0 + 123);
        expect(await store.pausedSince()).toBe(T0 + 123);
        expect(await store.setPaused(null)).toBeNull();
        expect(await store.pausedSince()).toBeNull();
        expect(await store.setPaused(null)).toBeNull();
      });

      it('is one flag for every store on the same tables', async () => {
        const other = openPeer ? await openPeer(store) : store;
        if (other !== store) opened.push(other);
        await store.setPaused(T0);
        expect(await other.pausedSince()).toBe(T0);
        await other.setPaused(null);
        expect(await store.pausedSince()).toBeNull();
      });

      it('survives createTables, and does not touch the jobs', async () => {
        await store.putJob(job('a'));
        await store.setPaused(T0);
        await store.createTables();
        expect(await store.pausedSince()).toBe(T0);
        expect((await store.getJob({ path: 'a', body: 'b' }))?.nextRun).toBe(T0);
      });
    });

    describe('run history', () => {
      const run = (path: string, at: number, extra: Partial<RunRecord> = {}): RunRecord => ({
        path,
        body: 'b',
        sched: at,
        startedAt: at + 5,
        durationMs: 12,
        status: '500',
        outcome: 'retry',
        attempt: 1,
        instanceId: 0xffffffff,
        ...extra,
      });

      it('keeps every attempt of a job, newest first, paged by id, after the job is deleted', async () => {
        await store.putJob(job('h'));
        await store.recordRuns([run('h', T0), run('other', T0), run('h', T0, { startedAt: T0 + 60 * SEC, status: '500', attempt: 2 })]);
        await store.recordRuns([run('h', T0, { startedAt: T0 + 180 * SEC + 1, status: '200', outcome: 'done', attempt: 3, durationMs: 1234 })]);
        await store.deleteJob({ path: 'h', body: 'b' });
        const all = await store.listRuns({ path: 'h', body: 'b' }, 10);
        expect(all.map((r) => [r.status, r.outcome, r.attempt, r.startedAt])).toEqual([
          ['200', 'done', 3, T0 + 180 * SEC + 1],
          ['500', 'retry', 2, T0 + 60 * SEC],
          ['500', 'retry', 1, T0 + 5],
        ]);
        expect(all[0]).toMatchObject({ path: 'h', body: 'b', sched: T0, durationMs: 1234, instanceId: 0xffffffff });
        const first = await store.listRuns({ path: 'h', body: 'b' }, 2);
        expect(first).toHaveLength(2);
        const rest = await store.listRuns({ path: 'h', body: 'b' }, 2, first[1]!.id);
        expect(rest.map((r) => r.attempt)).toEqual([1]);
        expect(await store.listRuns({ path: 'h', body: 'x' }, 10)).toEqual([]);
        // Keys are byte-exact, as the jobs' are: a trailing space is another job.
        await store.recordRuns([run('h ', T0)]);
        expect(await store.listRuns({ path: 'h ', body: 'b' }, 10)).toHaveLength(1);
        expect(await store.listRuns({ path: 'h', body: 'b' }, 10)).toHaveLength(3);
      });

      it('keeps an error text whole up to 255 characters', async () => {
        const text = `connect ECONNREFUSED 127.0.0.1:1 ${'é'.repeat(300)}`;
        await store.recordRuns([run('e', T0, { status: text, outcome: 'gave-up' })]);
        const [got] = await store.listRuns({ path: 'e', body: 'b' }, 1);
        expect(got?.status).toBe(text.slice(0, 255));
        expect(got?.outcome).toBe('gave-up');
      });

      it('trims by count per job and by age, in batches', async () => {
        const many = Array.from({ length: 7 }, (_, i) => run('c', T0 + i * SEC, { startedAt: T0 + 100 * SEC + i }));
        await store.recordRuns(many);
        await store.recordRuns([run('old', T0, { startedAt: T0 }), run('old', T0, { startedAt: T0 + 1 }), run('old', T0, { startedAt: T0 + 2 })]);
        // Count: 'c' keeps its newest 3; age: at most 2 of the runs started before T0 + 50 s.
        expect(await store.trimRuns([{ path: 'c', body: 'b' }], 3, T0 + 50 * SEC, 2)).toBe(4 + 2);
        expect((await store.listRuns({ path: 'c', body: 'b' }, 10)).map((r) => r.startedAt)).toEqual([T0 + 100 * SEC + 6, T0 + 100 * SEC + 5, T0 + 100 * SEC + 4]);
        expect((await store.listRuns({ path: 'old', body: 'b' }, 10)).map((r) => r.startedAt)).toEqual([T0 + 2]);
        expect(await store.trimRuns([{ path: 'c', body: 'b' }, { path: 'none', body: 'b' }], 3, T0 + 50 * SEC, 2)).toBe(1);
        expect(await store.trimRuns([], 3, T0 + 50 * SEC, 2)).toBe(0);
      });
    });

    describe('instances and status', () => {
      it('expiring an instance releases its jobs for another instance', async () => {
        await store.putJob(job('a'));
        await store.putJob(job('b'));
        await store.heartbeat(1, T0);
        await store.heartbeat(2, T0 + 30 * SEC);
        await store.heartbeat(1, T0 + 10 * SEC);
        expect(await store.claimDue(1, T0, 1)).toHaveLength(1);
        expect(await store.expireInstances(T0 + 70 * SEC, 60 * SEC)).toBe(0);
        expect((await store.status(2, T0)).totalInstances).toBe(2);
        expect(await store.expireInstances(T0 + 70 * SEC + 1, 60 * SEC)).toBe(1);
        expect((await store.status(2, T0)).totalInstances).toBe(1);
        const released = await store.claimDue(2, T0, 10);
        expect(keys(released).sort()).toEqual(['a', 'b']);
      });

      it('removing an instance releases its jobs', async () => {
        await store.putJob(job('a'));
        await store.heartbeat(1, T0);
        await store.claimDue(1, T0, 1);
        await store.removeInstance(1);
        expect((await store.getJob({ path: 'a', body: 'b' }))?.instanceId).toBeNull();
        await store.removeInstance(12345);
      });

      it('lists the live instances with their last heartbeat, by id', async () => {
        expect(await store.listInstances(10)).toEqual([]);
        await store.heartbeat(0xffffffff, T0 + 5);
        await store.heartbeat(7, T0);
        await store.heartbeat(7, T0 + 2 * SEC + 123);
        expect(await store.listInstances(10)).toEqual([
          { id: 7, lastHeartbeat: T0 + 2 * SEC + 123 },
          { id: 0xffffffff, lastHeartbeat: T0 + 5 },
        ]);
        expect(await store.listInstances(1)).toEqual([{ id: 7, lastHeartbeat: T0 + 2 * SEC + 123 }]);
        await store.removeInstance(7);
        expect((await store.listInstances(10)).map((i) => i.id)).toEqual([0xffffffff]);
      });

      it('accepts the whole 32-bit range of instance ids', async () => {
        await store.putJob(job('a'));
        await store.heartbeat(0xffffffff, T0);
        const [claimed] = await store.claimDue(0xffffffff, T0, 1);
        expect(claimed?.instanceId).toBe(0xffffffff);
        expect((await store.getJob({ path: 'a', body: 'b' }))?.instanceId).toBe(0xffffffff);
      });

      it('counts running, total and pending jobs, instances and lag', async () => {
        expect(await store.status(1, T0)).toEqual({
          instanceRunningJobs: 0,
          runningJobs: 0,
          totalJobs: 0,
          pendingJobs: 0,
          totalInstances: 0,
          lagSeconds: 0,
        });
        await store.heartbeat(1, T0);
        await store.heartbeat(2, T0);
        await store.putJob(job('r1', 'b', T0 - 10 * SEC));
        await store.putJob(job('r2', 'b', T0 - 9 * SEC));
        await store.putJob(job('due', 'b', T0 - 4 * SEC - 250));
        await store.putJob(job('due2', 'b', T0));
        await store.putJob(job('future', 'b', T0 + SEC));
        await store.putJob(job('off', 'b', T0 - 20 * SEC));
        await disable({ path: 'off', body: 'b' });
        await store.claimDue(1, T0 - 10 * SEC, 1);
        await store.claimDue(2, T0 - 9 * SEC, 1);
        expect(await store.status(1, T0)).toEqual({
          instanceRunningJobs: 1,
          runningJobs: 2,
          totalJobs: 6,
          pendingJobs: 2, // due and not claimed: r1 and r2 are claimed, so only due and due2
          totalInstances: 2,
          lagSeconds: 4.25,
        });
      });
    });
  });
}
