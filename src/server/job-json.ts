import type { JobJson } from '../client/types.js';
import type { Job } from '../schedule/job.js';
import { MAX_INSTANT_MS, MIN_INSTANT_MS } from '../schedule/instant-range.js';
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
  // A row stored before the edge checked the range (or by another program) may hold a time past
  // 9999: RFC 3339 has four-digit years, so it is shown at the end of the range (never `11026-…`).
  // Near the ends, a zone's local date can cross them too (9999-12-31T23:00Z is year 10000 in
  // Tokyo): such a time is shown in UTC, the same instant.
  const shown = Math.min(MAX_INSTANT_MS, Math.max(MIN_INSTANT_MS, ms));
  try {
    const local = formatInstant(shown, location);
    if (FOUR_DIGIT_YEAR.test(local)) return local;
  } catch {
    // an unknown zone: UTC below
  }
  return formatInstant(shown, '');
}

/** Years 0001 to 9999, as RFC 3339 and the representable range have them. */
const FOUR_DIGIT_YEAR = /^(?!0000)\d{4}-/;
