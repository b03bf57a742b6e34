import { describe, expect, it } from 'vitest';
import type { Page } from '../../../src/cli/watch/job-window.js';
import { initialState, keepVisible, reduce, selectedRow, type Action, type ViewState } from '../../../src/cli/watch/view-state.js';
import { screenRows } from '../../../src/cli/watch/WatchApp.js';
import { FakeClient, manyJobs } from './fake-client.js';

const status = { instance_id: 1, instance_running_jobs: 0, running_jobs: 0, total_jobs: 50, pending_jobs: 0, total_instances: 1, lag: 0 };

function withJobs(count: number, next = ''): ViewState {
  const pages: Page[] = [{ after: null, jobs: manyJobs(count), next }];
  return reduce(initialState(), { type: 'loaded', gen: 0, pages, status, at: 0, visible: 5 });
}

function run(state: ViewState, ...actions: Action[]): ViewState {
  return actions.reduce(reduce, state);
}

const down: Action = { type: 'move', move: 'down', visible: 5 };
const up: Action = { type: 'move', move: 'up', visible: 5 };

describe('moving the selection', () => {
  it('moves down and scrolls to keep the selection on screen', () => {
    const state = run(withJobs(20), ...Array<Action>(6).fill(down));
    expect(state.sel).toBe(6);
    expect(state.edge).toBe(2);
    expect(selectedRow(state)!.job.path).toBe('job-00007');
  });

  it('stops at both ends of what is held', () => {
    expect(run(withJobs(3), up).sel).toBe(0);
    expect(run(withJobs(3), down, down, down, down).sel).toBe(2);
  });

  it('pages by a screen less one line', () => {
    const state = run(withJobs(20), { type: 'move', move: 'pageDown', visible: 5 });
    expect(state.sel).toBe(4);
    expect(run(state, { type: 'move', move: 'pageUp', visible: 5 }).sel).toBe(0);
  });

  it('goes to the last job held when the listing is complete, and back home', () => {
    const end = run(withJobs(20), { type: 'move', move: 'end', visible: 5 });
    expect(end).toMatchObject({ sel: 19, edge: 15, tail: false, gen: 0 });
    expect(run(end, { type: 'move', move: 'home', visible: 5 })).toMatchObject({ sel: 0, edge: 0 });
  });

  it('re-anchors at the far end on End when more jobs exist than are held', () => {
    const end = run(withJobs(20, 'more'), { type: 'move', move: 'end', visible: 5 });
    expect(end).toMatchObject({ tail: true, gen: 1, pages: [], sel: 0, edge: 0 });
    // From the tail, "down" on screen goes toward the last job: a smaller index.
    const tail = reduce(end, { type: 'loaded', gen: 1, pages: [{ after: null, jobs: manyJobs(20).reverse(), next: 'm' }], status, at: 0, visible: 5 });
    const moved = run(tail, up, up, down);
    expect(moved.sel).toBe(1);
    expect(screenRows(moved, 5).jobs.at(-1)!.path).toBe('job-00020');
    expect(screenRows(moved, 5).selected).toBe(3);
    expect(run(moved, { type: 'move', move: 'home', visible: 5 })).toMatchObject({ tail: false, gen: 2, pages: [] });
  });
});

describe('loading', () => {
  it('drops answers to requests made before the direction changed', () => {
    const end = run(withJobs(20, 'more'), { type: 'move', move: 'end', visible: 5 });
    const stale = reduce(end, { type: 'loaded', gen: 0, pages: [{ after: null, jobs: manyJobs(3), next: '' }], status, at: 1, visible: 5 });
    expect(stale).toBe(end);
    expect(reduce(end, { type: 'failed', gen: 0, message: 'x' })).toBe(end);
  });

  it('keeps the selection on the same job when it moved but is still on screen', () => {
    const jobs = manyJobs(10);
    const state = run(withJobs(10), down, down);
    expect(selectedRow(state)!.job.path).toBe('job-00003');
    // job-00001 ran and moved to the end: job-00003 is now second.
    const reordered = [...jobs.slice(1), jobs[0]!];
    const after = reduce(state, { type: 'loaded', gen: 0, pages: [{ after: null, jobs: reordered, next: '' }], status, at: 1, visible: 5 });
    expect(selectedRow(after)!.job.path).toBe('job-00003');
    expect(after.sel).toBe(1);
  });

  it('keeps the position when the selected job left the screen, clamped to what exists', () => {
    const state = run(withJobs(10), down, down, down);
    const after = reduce(state, { type: 'loaded', gen: 0, pages: [{ after: null, jobs: manyJobs(2), next: '' }], status, at: 1, visible: 5 });
    expect(after.sel).toBe(1);
  });

  it('records a failure and clears it on the next success', () => {
    const failed = reduce(withJobs(3), { type: 'failed', gen: 0, message: 'cannot reach dalga' });
    expect(failed.error).toBe('cannot reach dalga');
    expect(selectedRow(failed)).toBeDefined();
    const back = reduce(failed, { type: 'loaded', gen: 0, pages: failed.pages as Page[], status, at: 2, visible: 5 });
    expect(back.error).toBeUndefined();
    expect(back.updatedAt).toBe(2);
  });
});

describe('filter', () => {
  it('narrows the rows and starts the selection over', async () => {
    const client = new FakeClient(manyJobs(30));
    const page = await client.list({ limit: 30 });
    const state = run(
      reduce(initialState(), { type: 'loaded', gen: 0, pages: [{ after: null, jobs: page.jobs, next: '' }], status, at: 0, visible: 5 }),
      down,
      { type: 'filter', text: 'job-0002' },
    );
    expect(state.sel).toBe(0);
    expect(screenRows(state, 20).jobs.map((j) => j.path)).toEqual(
      Array.from({ length: 10 }, (_, i) => `job-000${20 + i}`),
    );
  });
});

describe('keepVisible', () => {
  it('scrolls the least needed', () => {
    expect(keepVisible(0, 3, 5)).toBe(0);
    expect(keepVisible(0, 5, 5)).toBe(1);
    expect(keepVisible(4, 2, 5)).toBe(2);
  });
});
