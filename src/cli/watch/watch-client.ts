// The part of the API client the live view uses. `ls` passes the real client (src/client/client.ts);
// tests pass a fake. Kept structural so this folder does not depend on the client's module.

import type { JobJson, JobListJson, RunListJson, StatusJson } from '../../client/types.js';

export type SortBy = 'insert-order' | 'next-sched' | 'next-run';

export interface ListParams {
  path?: string;
  sortBy?: SortBy;
  reverse?: boolean;
  limit?: number;
}

export interface WatchClient {
  list(q: ListParams): Promise<JobListJson>;
  listContinue(cursor: string): Promise<JobListJson>;
  status(): Promise<StatusJson>;
  enable(path: string, body: string): Promise<JobJson>;
  disable(path: string, body: string): Promise<JobJson>;
  cancel(path: string, body: string): Promise<void>;
  /** Run now (POST); the key `r`. */
  run(path: string, body: string): Promise<JobJson>;
  /** The job's recent runs, newest first; the key Enter. */
  runs(path: string, body: string, q?: { limit?: number }): Promise<RunListJson>;
}
