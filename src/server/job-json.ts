import type { JobJson } from '../client/types.js';
import type { Job } from '../schedule/job.js';
import { formatInstant } from '../schedule/zone.js';

/**
 * The wire form of a job (spec §1). Every time is printed in the job's own location, so PUT, GET
 * and PATCH show one job the same way (spec §9 #7); an empty location prints as `UTC`.
 */
export function toJobJson(job: Job): JobJson {
  const location = job.location;
  return {
    path: job.path,
    body: job.body,
    interval: job.interval,
    location: location === '' ? 'UTC' : location,
    next_run: job.nextRun === null ? null : formatIn(job.nextRun, location),
    next_sched: formatIn(job.nextSched, location),
    instance_id: job.instanceId,
    last_run: job.lastRun === null ? null : formatIn(job.lastRun, location),
    last_status: job.lastStatus,
    failures: job.failures,
    cron: job.cron ?? null,
    misfire: job.misfire ?? 'once',
    catchup: job.catchup ?? 'PT1H',
    run_now: job.runNow === undefined || job.runNow === null ? null : formatIn(job.runNow, location),
  };
}

/**
 * A row written by something else (another program sharing the table) may name a zone this
 * runtime does not know; showing it in UTC beats failing the whole GET or listing.
 */
function formatIn(ms: number, location: string): string {
  try {
    return formatInstant(ms, location);
  } catch {
    return formatInstant(ms, '');
  }
}
