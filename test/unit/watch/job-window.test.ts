import { describe, expect, it } from 'vitest';
import { FILTER_WINDOW, flatten, isComplete, MARGIN_ROWS, planSync, syncWindow, type WindowQuery } from '../../../src/cli/watch/job-window.js';
import { DaemonUnavailableError } from '../../../src/errors.js';
import { FakeClient, job, manyJobs } from './fake-client.js';

const HEAD: WindowQuery = { sortBy: 'next-run', reverse: false };
const view = (over: Partial<Parameters<typeof planSync>[1]> = {}) => ({
  edge: 0,
  sel: 0,
  visible: 20,
  filter: '',
  filtering: false,
  ...over,
});

describe('syncWindow over 100,000 jobs', () => {
  const client = new FakeClient(manyJobs(100_000));

  it('fetches one page of what fits on screen plus a margin', async () => {
    client.calls = [];
    const pages = await syncWindow(client, HEAD, [], planSync([], view()));
    expect(client.calls).toEqual([{ kind: 'list', params: { sortBy: 'next-run', reverse: false, limit: 20 + MARGIN_ROWS } }]);
    expect(flatten(pages)).toHaveLength(30);
    expect(pages[0]!.jobs[0]!.path).toBe('job-00001');
  });

  it('follows the cursor when the selection moves past what is held, keeping the pages before', async () => {
    const first = await syncWindow(client, HEAD, [], planSync([], view()));
    client.calls = [];
    const moved = view({ sel: 29, edge: 10 });
    const pages = await syncWindow(client, HEAD, first, planSync(first, moved));
    // The screen starts in page 0, so that page is refreshed, then one continuation follows.
    expect(client.calls.map((c) => c.kind)).toEqual(['list', 'continue']);
    expect(flatten(pages).map((r) => r.job.path)).toContain('job-00060');
  });

  it('refreshes from the page on screen, not from the top, when scrolled far down', async () => {
    let pages = await syncWindow(client, HEAD, [], planSync([], view()));
    for (let sel = 29; sel < 300; sel += 30) {
      pages = await syncWindow(client, HEAD, pages, planSync(pages, view({ sel, edge: sel - 19 })));
    }
    client.calls = [];
    const rows = flatten(pages);
    const deep = view({ sel: rows.length - 15, edge: rows.length - 34 });
    await syncWindow(client, HEAD, pages, planSync(pages, deep));
    expect(client.callsOf('list')).toHaveLength(0);
    expect(client.calls.length).toBeLessThanOrEqual(3);
  });
});

describe('planSync', () => {
  it('asks for the screen, the selection and a margin', () => {
    expect(planSync([], view({ visible: 5 }))).toMatchObject({ fromPage: 0, needRows: 5 + MARGIN_ROWS, pageSize: 5 + MARGIN_ROWS });
  });

  it('uses one fixed window while filtering', () => {
    expect(planSync([], view({ filtering: true }))).toEqual({
      fromPage: 0,
      needRows: Number.POSITIVE_INFINITY,
      maxPages: 1,
      pageSize: FILTER_WINDOW,
    });
  });
});

describe('flatten', () => {
  it('drops a job seen again in a later page, and filters', () => {
    const a = job('a');
    const pages = [
      { after: null, jobs: [a, job('b')], next: 'c1' },
      { after: 'c1', jobs: [a, job('c')], next: '' },
    ];
    expect(flatten(pages).map((r) => [r.job.path, r.page])).toEqual([
      ['a', 0],
      ['b', 0],
      ['c', 1],
    ]);
    expect(flatten(pages, 'C').map((r) => r.job.path)).toEqual(['c']);
    expect(isComplete(pages)).toBe(true);
    expect(isComplete(pages.slice(0, 1))).toBe(false);
    expect(isComplete([])).toBe(false);
  });
});

describe('syncWindow failures', () => {
  it('starts over from the first page when the daemon rejects a cursor', async () => {
    const client = new FakeClient(manyJobs(100));
    const stale = [
      { after: null, jobs: [], next: 'forgotten' },
      { after: 'forgotten', jobs: [], next: 'x' },
    ];
    const pages = await syncWindow(client, HEAD, stale, { fromPage: 1, needRows: 10, maxPages: 2, pageSize: 10 });
    expect(client.calls.map((c) => c.kind)).toEqual(['continue', 'list']);
    expect(flatten(pages)[0]!.job.path).toBe('job-00001');
  });

  it('lets an unreachable daemon through to the caller', async () => {
    const client = new FakeClient(manyJobs(3));
    client.down = true;
    await expect(syncWindow(client, HEAD, [], planSync([], view()))).rejects.toBeInstanceOf(DaemonUnavailableError);
  });

  it('passes the path and direction to the listing', async () => {
    const client = new FakeClient(manyJobs(3));
    await syncWindow(client, { path: 'job-00002', sortBy: 'next-sched', reverse: true }, [], planSync([], view()));
    expect(client.calls[0]).toEqual({ kind: 'list', params: { path: 'job-00002', sortBy: 'next-sched', reverse: true, limit: 30 } });
  });
});
