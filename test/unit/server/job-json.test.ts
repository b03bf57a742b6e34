import { describe, expect, it } from 'vitest';
import type { Job } from '../../../src/schedule/job.js';
import { toJobJson } from '../../../src/server/job-json.js';

// No output prints a year outside 0001..9999 (issue 18 item 3): RFC 3339 has four-digit years.
function job(fields: Partial<Job>): Job {
  return { id: 1, path: 'p', body: 'b', interval: 'PT1M', location: '', nextRun: 0, nextSched: 0, instanceId: null, lastRun: null, lastStatus: null, failures: 0, ...fields } as Job;
}

describe('toJobJson', () => {
  it('shows a stored time past 9999 (an old row) at the end of the range, not as year 11026', () => {
    const far = Date.parse('+011026-12-01T00:00:00Z');
    const json = toJobJson(job({ nextRun: far, nextSched: far, lastRun: far }));
    expect([json.next_run, json.next_sched, json.last_run]).toEqual(['9999-12-31T23:59:59.999Z', '9999-12-31T23:59:59.999Z', '9999-12-31T23:59:59.999Z']);
  });

  it('shows a time whose local date leaves 0001..9999 in UTC instead', () => {
    const late = Date.parse('9999-12-31T23:00:00Z');
    expect(toJobJson(job({ location: 'Asia/Tokyo', nextRun: late, nextSched: late })).next_run).toBe('9999-12-31T23:00:00Z');
    const early = Date.parse('0001-01-01T01:00:00Z');
    expect(toJobJson(job({ location: 'America/New_York', nextRun: early, nextSched: early })).next_run).toBe('0001-01-01T01:00:00Z');
    const ordinary = Date.parse('2030-06-01T00:00:00Z');
    expect(toJobJson(job({ location: 'Asia/Tokyo', nextRun: ordinary, nextSched: ordinary })).next_run).toBe('2030-06-01T09:00:00+09:00');
  });
});
