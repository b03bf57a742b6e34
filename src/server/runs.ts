// GET /jobs/{path}/{body}/runs: a job's run history, newest first, paged like GET /jobs — the
// answer's `cursor` (opaque, "" on the last page) is passed back as `?cursor=` with the same limit.
import type { RunJson, RunListJson } from '../client/types.js';
import type { JobKey } from '../schedule/job.js';
import type { Store, StoredRun } from '../store/store.js';
import { MAX_LIST_LIMIT } from './cursor.js';
import { HttpError } from './respond.js';

export const DEFAULT_RUNS_LIMIT = 100;
const VERSION = 1;

export interface RunsRequest {
  readonly limit: number;
  /** Only runs older than this one (its id). */
  readonly beforeId?: number;
}

export function parseRunsParams(query: URLSearchParams): RunsRequest {
  const limit = parseRunsLimit(query.get('limit') ?? '');
  const cursor = query.get('cursor') ?? '';
  return cursor === '' ? { limit } : { limit, beforeId: decodeRunsCursor(cursor) };
}

export async function runsPage(store: Store, key: JobKey, request: RunsRequest): Promise<RunListJson> {
  const rows = await store.listRuns(key, request.limit + 1, request.beforeId);
  const page = rows.slice(0, request.limit);
  const last = page[page.length - 1];
  const cursor = rows.length > request.limit && last !== undefined ? encodeRunsCursor(last.id) : '';
  return { runs: page.map(toRunJson), cursor };
}

export function toRunJson(run: StoredRun): RunJson {
  return {
    sched: new Date(run.sched).toISOString(),
    started_at: new Date(run.startedAt).toISOString(),
    duration_ms: run.durationMs,
    status: run.status,
    outcome: run.outcome,
    attempt: run.attempt,
    instance_id: run.instanceId,
  };
}

function encodeRunsCursor(beforeId: number): string {
  return Buffer.from(JSON.stringify({ v: VERSION, b: beforeId }), 'utf8').toString('base64url');
}

/** A damaged or hand-made cursor is a 400, never a 500. */
function decodeRunsCursor(token: string): number {
  const invalid = new HttpError(400, 'invalid cursor — pass back the cursor of the previous answer');
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(token)) throw invalid;
  let wire: unknown;
  try {
    wire = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid;
  }
  const { v, b } = (wire ?? {}) as { v?: unknown; b?: unknown };
  if (v !== VERSION || typeof b !== 'number' || !Number.isSafeInteger(b) || b < 1) throw invalid;
  return b;
}

function parseRunsLimit(text: string): number {
  if (text === '') return DEFAULT_RUNS_LIMIT;
  const value = /^[0-9]{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(value >= 1 && value <= MAX_LIST_LIMIT)) throw new HttpError(400, `invalid limit — must be an integer from 1 to ${MAX_LIST_LIMIT}`);
  return value;
}
