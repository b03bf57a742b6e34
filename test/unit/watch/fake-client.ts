// An in-memory stand-in for the daemon's API, for the watch view's unit tests. It orders and
// pages like the real listing (next-run with disabled jobs last, cursors following on) and
// records every call, so tests can check how much the view asks for.

import type { JobJson, JobListJson, RunJson, RunListJson, StatusJson } from '../../../src/client/types.js';
import { DaemonUnavailableError, NotFoundError, UnauthorizedError, UsageError } from '../../../src/errors.js';
import type { ListParams, WatchClient } from '../../../src/cli/watch/watch-client.js';

export type Call =
  | { kind: 'list'; params: ListParams }
  | { kind: 'continue'; cursor: string }
  | { kind: 'status' }
  | { kind: 'enable' | 'disable' | 'cancel' | 'run' | 'runs'; path: string; body: string };

interface CursorState {
  readonly params: ListParams;
  readonly offset: number;
}

export function job(path: string, overrides: Partial<JobJson> = {}): JobJson {
  return {
    path,
    body: 'b',
    interval: 'PT60S',
    location: 'UTC',
    next_run: '2020-01-13T22:10:00Z',
    next_sched: '2020-01-13T22:10:00Z',
    instance_id: null,
    last_run: null,
    last_status: null,
    failures: 0,
    ...overrides,
  };
}

/** `count` scheduled jobs named job-00001…, one second apart from `start`. */
export function manyJobs(count: number, start = Date.parse('2020-01-13T22:10:00Z')): JobJson[] {
  return Array.from({ length: count }, (_, i) => {
    const at = new Date(start + i * 1000).toISOString();
    return job(`job-${String(i + 1).padStart(5, '0')}`, { body: `body-${i + 1}`, next_run: at, next_sched: at });
  });
}

export class FakeClient implements WatchClient {
  jobs: JobJson[];
  calls: Call[] = [];
  /** While true every call fails as an unreachable daemon does. */
  down = false;
  /** When set, every call fails as a daemon answering 401 does, with this message. */
  unauthorized: string | undefined;
  private cursors = new Map<string, CursorState>();
  private cache?: { jobs: JobJson[]; key: string; sorted: JobJson[] };

  constructor(jobs: JobJson[] = []) {
    this.jobs = jobs;
  }

  callsOf(kind: Call['kind']): Call[] {
    return this.calls.filter((c) => c.kind === kind);
  }

  async list(params: ListParams): Promise<JobListJson> {
    this.calls.push({ kind: 'list', params });
    this.check();
    return this.page({ params, offset: 0 });
  }

  async listContinue(cursor: string): Promise<JobListJson> {
    this.calls.push({ kind: 'continue', cursor });
    this.check();
    const state = this.cursors.get(cursor);
    if (!state) throw new UsageError('invalid cursor');
    return this.page(state);
  }

  async status(): Promise<StatusJson> {
    this.calls.push({ kind: 'status' });
    this.check();
    const running = this.jobs.filter((j) => j.instance_id !== null).length;
    return {
      instance_id: 7,
      instance_running_jobs: running,
      running_jobs: running,
      total_jobs: this.jobs.length,
      pending_jobs: 0,
      total_instances: 1,
      lag: 0,
    };
  }

  async enable(path: string, body: string): Promise<JobJson> {
    this.calls.push({ kind: 'enable', path, body });
    this.check();
    return this.update(path, body, (j) => ({ ...j, next_run: j.next_sched }));
  }

  /** Runs answered by runs(), per "path body". */
  readonly runsByJob = new Map<string, RunJson[]>();

  async runs(path: string, body: string, q: { limit?: number } = {}): Promise<RunListJson> {
    this.calls.push({ kind: 'runs', path, body });
    this.check();
    return { runs: (this.runsByJob.get(`${path} ${body}`) ?? []).slice(0, q.limit ?? 100), cursor: '' };
  }

  async disable(path: string, body: string): Promise<JobJson> {
    this.calls.push({ kind: 'disable', path, body });
    this.check();
    return this.update(path, body, (j) => ({ ...j, next_run: null }));
  }

  async run(path: string, body: string): Promise<JobJson> {
    this.calls.push({ kind: 'run', path, body });
    this.check();
    return this.update(path, body, (j) => ({ ...j, run_now: j.next_sched }));
  }

  async cancel(path: string, body: string): Promise<void> {
    this.calls.push({ kind: 'cancel', path, body });
    this.check();
    this.jobs = this.jobs.filter((j) => j.path !== path || j.body !== body);
  }

  private check(): void {
    if (this.unauthorized !== undefined) throw new UnauthorizedError(this.unauthorized);
    if (this.down) throw new DaemonUnavailableError('cannot reach dalga at http://fake — is `dalga serve` running?');
  }

  private update(path: string, body: string, change: (j: JobJson) => JobJson): JobJson {
    const index = this.jobs.findIndex((j) => j.path === path && j.body === body);
    const found = this.jobs[index];
    if (!found) throw new NotFoundError(`job not found — ${path} ${body}`);
    const changed = change(found);
    this.jobs[index] = changed;
    this.cache = undefined;
    return changed;
  }

  private sorted(params: ListParams): JobJson[] {
    const key = JSON.stringify([params.path, params.sortBy, params.reverse]);
    if (this.cache?.jobs === this.jobs && this.cache.key === key) return this.cache.sorted;
    const sorted = this.sort(params);
    this.cache = { jobs: this.jobs, key, sorted };
    return sorted;
  }

  private sort(params: ListParams): JobJson[] {
    const rank = (j: JobJson): number => (j.next_run === null ? Number.POSITIVE_INFINITY : Date.parse(j.next_run));
    const chosen = this.jobs.filter((j) => params.path === undefined || j.path === params.path);
    const ordered =
      params.sortBy === 'insert-order'
        ? chosen
        : chosen
            .map((j) => ({ j, r: rank(j) }))
            .sort((a, b) => a.r - b.r)
            .map((x) => x.j);
    return params.reverse ? ordered.reverse() : ordered;
  }

  private page(state: CursorState): JobListJson {
    const limit = state.params.limit ?? 100;
    const all = this.sorted(state.params);
    const jobs = all.slice(state.offset, state.offset + limit);
    const nextOffset = state.offset + jobs.length;
    if (nextOffset >= all.length) return { jobs, cursor: '' };
    const cursor = `c${this.cursors.size + 1}`;
    this.cursors.set(cursor, { params: state.params, offset: nextOffset });
    return { jobs, cursor };
  }
}
