// Cron rows that a Go Dalga instance ran, in a table shared with it: Go reschedules them by their
// `interval` column (CRON_INTERVAL, 1000 years), which parks them. This puts them back on their
// expression (README "Moving from Go Dalga").
import type { Logger } from '../log.js';
import { PARKED_AFTER_MS, parkedCronRepair } from '../schedule/misfire.js';
import type { Store } from '../store/store.js';

/** How often the daemon looks (MySQL only: Go Dalga shares nothing else). */
export const CRON_REPAIR_EVERY_MS = 5000;
const BATCH = 100;

/** Answers how many parked cron jobs it put back. */
export async function repairParkedCronJobs(store: Store, now: number, log: Logger): Promise<number> {
  const parked = await store.parkedCronJobs(now + PARKED_AFTER_MS, BATCH);
  let repaired = 0;
  for (const job of parked) {
    const after = await store.updateSchedule(job, (current) => parkedCronRepair(current, now));
    if (after !== null && after.nextSched !== job.nextSched) repaired += 1;
  }
  if (repaired > 0) log.info({ repaired }, 'cron jobs rescheduled by a Go Dalga instance put back on their expressions');
  return repaired;
}
