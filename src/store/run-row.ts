// A run-history row as the drivers read it, and its conversion. Times arrive as epoch ms (SQLite,
// and PostgreSQL's timestamptz parser) or as MySQL DATETIME text, converted by the caller's `time`.
import type { RunOutcome, StoredRun } from './store.js';

export interface RunRow {
  id: number | string;
  path: string;
  body: string;
  sched: number | string;
  started_at: number | string;
  duration_ms: number | string;
  status: string;
  outcome: string;
  attempt: number | string;
  instance_id: number | string;
}

export function toRun(row: RunRow, time: (value: number | string) => number = Number): StoredRun {
  return {
    id: Number(row.id),
    path: row.path,
    body: row.body,
    sched: time(row.sched),
    startedAt: time(row.started_at),
    durationMs: Number(row.duration_ms),
    status: row.status,
    outcome: row.outcome as RunOutcome,
    attempt: Number(row.attempt),
    instanceId: Number(row.instance_id),
  };
}
