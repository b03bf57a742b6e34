import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobJson, JobListJson } from '../../src/client/types.js';
import { startApi, type ApiFixture } from './api-harness.js';

let api: ApiFixture;
beforeEach(async () => {
  api = await startApi();
});
afterEach(async () => {
  await api.close();
});

const keyOf = (job: JobJson): string => `${job.path}/${job.body}`;

/** Walks every page of a listing, following cursors, with `limit` rows a page. */
async function listAll(query: string): Promise<{ jobs: JobJson[]; pages: number }> {
  const first = await api.call('GET', `/jobs?${query}`);
  expect(first.status, first.text).toBe(200);
  let page = first.json as JobListJson;
  const jobs = [...page.jobs];
  let pages = 1;
  while (page.cursor !== '') {
    const next = await api.call('GET', `/jobs/continue?cursor=${encodeURIComponent(page.cursor)}`);
    expect(next.status, next.text).toBe(200);
    page = next.json as JobListJson;
    jobs.push(...page.jobs);
    pages++;
    expect(pages).toBeLessThan(100);
  }
  return { jobs, pages };
}

/**
 * 19 jobs in insert order: ties on next_sched and next_run (same first-run), disabled jobs
 * (next_run null) spread through the insert order, and two paths.
 */
async function seed(): Promise<string[]> {
  const keys: string[] = [];
  const firstRuns = ['2020-02-01T00:00:00Z', '2020-01-20T00:00:00Z', '2020-02-01T00:00:00Z', '2020-01-15T12:00:00Z'];
  for (let i = 0; i < 19; i++) {
    const path = i % 3 === 0 ? 'feed' : 'mail';
    const body = `job-${String(i).padStart(2, '0')}`;
    const firstRun = firstRuns[i % firstRuns.length]!;
    const reply = await api.call('PUT', `/jobs/${path}/${body}?interval=PT1H&first-run=${firstRun}`);
    expect(reply.status).toBe(201);
    if (i % 5 === 2) expect((await api.call('PATCH', `/jobs/${path}/${body}?disable=true`)).status).toBe(200);
    keys.push(`${path}/${body}`);
  }
  return keys;
}

function isSortedBy(jobs: JobJson[], value: (job: JobJson) => number): boolean {
  return jobs.every((job, i) => i === 0 || value(jobs[i - 1]!) <= value(job));
}

describe('GET /jobs', () => {
  it('answers the documented shape, empty when there are no jobs', async () => {
    const reply = await api.call('GET', '/jobs');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/json');
    expect(reply.text).toBe('{"jobs":[],"cursor":""}');
  });

  it('lists in insert order by default, paging through every job exactly once', async () => {
    const keys = await seed();
    const { jobs, pages } = await listAll('limit=4');
    expect(jobs.map(keyOf)).toEqual(keys);
    expect(pages).toBe(5);
    expect(jobs[2]).toMatchObject({ path: 'mail', body: 'job-02', next_run: null, interval: 'PT1H' });
  });

  it.each([['insert-order'], ['next-sched'], ['next-run']])('pages %s forward and reverse, ties included, each job once', async (order) => {
    const keys = await seed();
    for (const limit of [1, 2, 3, 7, 19, 100]) {
      const forward = (await listAll(`sort-by=${order}&limit=${limit}`)).jobs.map(keyOf);
      const reverse = (await listAll(`sort-by=${order}&limit=${limit}&reverse=true`)).jobs.map(keyOf);
      expect(new Set(forward).size, `limit ${limit}`).toBe(keys.length);
      expect([...forward].sort()).toEqual([...keys].sort());
      // Ties are broken by insert order, so reverse is exactly the forward listing backwards.
      expect(reverse, `limit ${limit}`).toEqual([...forward].reverse());
    }
  });

  it('orders next-sched by next_sched', async () => {
    await seed();
    const { jobs } = await listAll('sort-by=next-sched&limit=5');
    expect(isSortedBy(jobs, (job) => Date.parse(job.next_sched))).toBe(true);
  });

  it('orders next-run by next_run, disabled jobs last (first in reverse)', async () => {
    await seed();
    const { jobs } = await listAll('sort-by=next-run&limit=5');
    const enabled = jobs.filter((job) => job.next_run !== null);
    const firstDisabled = jobs.findIndex((job) => job.next_run === null);
    expect(firstDisabled).toBe(enabled.length);
    expect(jobs.length - enabled.length).toBe(4);
    expect(isSortedBy(enabled, (job) => Date.parse(job.next_run!))).toBe(true);
    const reversed = (await listAll('sort-by=next-run&limit=5&reverse=1')).jobs;
    expect(reversed.slice(0, 4).every((job) => job.next_run === null)).toBe(true);
  });

  it('gives an empty cursor when the last page is exactly full', async () => {
    for (let i = 0; i < 8; i++) await api.call('PUT', `/jobs/p/${i}?interval=60`);
    const first = (await api.call('GET', '/jobs?limit=4')).json as JobListJson;
    expect(first.jobs).toHaveLength(4);
    expect(first.cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    const second = (await api.call('GET', `/jobs/continue?cursor=${first.cursor}`)).json as JobListJson;
    expect(second.jobs.map((job) => job.body)).toEqual(['4', '5', '6', '7']);
    expect(second.cursor).toBe('');
  });

  it('pages 100 jobs by default', async () => {
    for (let i = 0; i < 103; i++) await api.call('PUT', `/jobs/p/${i}?interval=60`);
    const first = (await api.call('GET', '/jobs')).json as JobListJson;
    expect(first.jobs).toHaveLength(100);
    const second = (await api.call('GET', `/jobs/continue?cursor=${first.cursor}`)).json as JobListJson;
    expect(second).toMatchObject({ cursor: '' });
    expect(second.jobs.map((job) => job.body)).toEqual(['100', '101', '102']);
  });

  it('filters by exact path, keeping the filter and order across pages', async () => {
    await seed();
    const { jobs } = await listAll('path=feed&limit=2&sort-by=next-sched&reverse=true');
    // feed jobs: next_sched Jan 15 (03, 15), Jan 20 (09), Feb 1 (00, 06, 12, 18); ties by insert order.
    expect(jobs.map((job) => job.body)).toEqual(['job-18', 'job-12', 'job-06', 'job-00', 'job-09', 'job-15', 'job-03']);
    expect(jobs.every((job) => job.path === 'feed')).toBe(true);
    expect(isSortedBy([...jobs].reverse(), (job) => Date.parse(job.next_sched))).toBe(true);
  });

  it('finds nothing for an injection attempt in path', async () => {
    await seed();
    const reply = await api.call('GET', `/jobs?path=${encodeURIComponent("nope' OR '1'='1")}`);
    expect(reply.json).toEqual({ jobs: [], cursor: '' });
    const partial = await api.call('GET', '/jobs?path=fee');
    expect(partial.json).toEqual({ jobs: [], cursor: '' });
  });

  it('treats an empty path parameter as no filter', async () => {
    await seed();
    expect(((await api.call('GET', '/jobs?path=&limit=1000')).json as JobListJson).jobs).toHaveLength(19);
  });

  it.each([
    ['sort-by=path', 'invalid sort-by — use one of insert-order, next-sched, next-run'],
    ['sort-by=id%3B%20DROP%20TABLE%20dalga', 'invalid sort-by — use one of insert-order, next-sched, next-run'],
    ['sort-by=NEXT-RUN', 'invalid sort-by — use one of insert-order, next-sched, next-run'],
    ['reverse=maybe', 'cannot parse reverse'],
    ['limit=0', 'invalid limit — must be an integer from 1 to 1000'],
    ['limit=1001', 'invalid limit — must be an integer from 1 to 1000'],
    ['limit=-1', 'invalid limit — must be an integer from 1 to 1000'],
    ['limit=2.5', 'invalid limit — must be an integer from 1 to 1000'],
    ['limit=1e2', 'invalid limit — must be an integer from 1 to 1000'],
    ['limit=ten', 'invalid limit — must be an integer from 1 to 1000'],
    ['limit=99999999999999999999', 'invalid limit — must be an integer from 1 to 1000'],
  ])('answers 400 to %s', async (query, message) => {
    const reply = await api.call('GET', `/jobs?${query}`);
    expect({ status: reply.status, text: reply.text }).toEqual({ status: 400, text: `${message}\n` });
  });

  it('accepts limit 1000', async () => {
    expect((await api.call('GET', '/jobs?limit=1000')).status).toBe(200);
  });
});

describe('GET /jobs/continue', () => {
  const forged = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

  it.each([
    ['', 'missing cursor'],
    ['cursor=', 'missing cursor'],
    ['cursor=garbage!', 'invalid cursor'],
    ['cursor=Zm9v', 'invalid cursor'],
    [`cursor=${forged({ v: 1, o: 'id; DROP TABLE dalga', r: false, l: 10, a: [null, 1] })}`, 'invalid cursor'],
    [`cursor=${forged({ v: 1, o: 'next-sched', r: false, l: 10, a: ["0' OR '1'='1", 1] })}`, 'invalid cursor'],
    [`cursor=${forged({ v: 1, o: 'insert-order', r: false, l: 5000, a: [null, 1] })}`, 'invalid cursor'],
  ])('answers 400 to %s', async (query, message) => {
    const reply = await api.call('GET', `/jobs/continue?${query}`);
    expect({ status: reply.status, text: reply.text }).toEqual({ status: 400, text: `${message}\n` });
  });

  it('continues after a job deleted meanwhile without repeating or skipping others', async () => {
    for (let i = 0; i < 6; i++) await api.call('PUT', `/jobs/p/${i}?interval=60`);
    const first = (await api.call('GET', '/jobs?limit=3')).json as JobListJson;
    expect(first.jobs.map((job) => job.body)).toEqual(['0', '1', '2']);
    await api.call('DELETE', '/jobs/p/2');
    const second = (await api.call('GET', `/jobs/continue?cursor=${first.cursor}`)).json as JobListJson;
    expect(second.jobs.map((job) => job.body)).toEqual(['3', '4', '5']);
  });
});
