import type { Misfire } from '../schedule/job.js';

/** The misfire column as the domain type; a value written by something else reads as `once`. */
export function toMisfire(value: string | null | undefined): Misfire {
  return value === 'skip' || value === 'all' ? value : 'once';
}
