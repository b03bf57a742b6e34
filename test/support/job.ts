import type { Job } from '../../src/schedule/job.js';

/** A domain Job as the store hands it to the scheduler: a periodic UTC job, claimed by instance 7. */
export function aJob(overrides: Partial<Job> = {}): Job {
  return {
    id: 1,
    path: 'hooks/feed',
    body: '1234',
    interval: 'PT60S',
    location: 'UTC',
    nextRun: Date.parse('2020-01-13T22:09:00Z'),
    nextSched: Date.parse('2020-01-13T22:09:00Z'),
    instanceId: 7,
    lastRun: null,
    lastStatus: null,
    failures: 0,
    claimToken: 99,
    ...overrides,
  };
}
