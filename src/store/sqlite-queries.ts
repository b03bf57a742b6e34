// Every SQLite statement of the project. `t` is a table name already checked by checkTableName
// and quoted here. Times are INTEGER epoch milliseconds. Parameters are listed per statement.
import { commonQueries } from './common-queries.js';
import { listSql, type ListSegment } from './list-plan.js';

export const JOB_COLUMNS =
  'id, path, body, "interval", location, next_run, next_sched, instance_id, last_run, last_status, failures, claim_token, cron, misfire, catchup, run_now, sched_anchor';

export const RUN_COLUMNS = 'id, path, body, sched, started_at, duration_ms, status, outcome, attempt, instance_id';

// cache_size: SQLite's own default of 2 MB of page cache. better-sqlite3 builds SQLite with
// 16 MB, which a drain of 100,000 jobs fills (+15 MB of RSS); the file's pages stay in the OS's
// cache, so a miss costs a read() and no disk access.
export const PRAGMAS = ['journal_mode = WAL', 'synchronous = NORMAL', 'busy_timeout = 5000', 'foreign_keys = ON', 'cache_size = -2000'];

export function sqliteQueries(name: string) {
  const t = `"${name}"`;
  const inst = `"${name}_instances"`;
  const ledger = `"${name}_migrations"`;
  const pause = `"${name}_pause"`;
  const runs = `"${name}_runs"`;
  return {
    ledgerName: `${name}_migrations`,
    /** params: ledger table name (unquoted). */
    ledgerExists: `SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name = ?`,
    createLedger: `
      CREATE TABLE IF NOT EXISTS ${ledger} (
        version    INTEGER PRIMARY KEY,
        name       TEXT    NOT NULL,
        applied_at INTEGER NOT NULL
      )`,
    ledgerVersions: `SELECT version FROM ${ledger} ORDER BY version`,
    /** params: version, name, applied_at */
    recordMigration: `INSERT INTO ${ledger} (version, name, applied_at) VALUES (?, ?, ?)`,
    /** params: path, body, interval, location, next_run, next_sched, cron, misfire, catchup, sched_anchor. Keeps id on replace. */
    putJob: `
      INSERT INTO ${t} (path, body, "interval", location, next_run, next_sched, instance_id, last_run, last_status, failures, claim_token, cron, misfire, catchup, run_now, sched_anchor)
      VALUES (?, ?, ?, ?, ?, ?, NULL, NULL, NULL, 0, NULL, ?, ?, ?, NULL, ?)
      ON CONFLICT (path, body) DO UPDATE SET
        "interval" = excluded."interval", location = excluded.location, next_run = excluded.next_run,
        next_sched = excluded.next_sched, instance_id = NULL, last_run = NULL, last_status = NULL, failures = 0,
        claim_token = NULL, cron = excluded.cron, misfire = excluded.misfire, catchup = excluded.catchup, run_now = NULL,
        sched_anchor = excluded.sched_anchor
      RETURNING ${JOB_COLUMNS}`,
    /** params: after, limit. Cron rows a Go Dalga instance parked far ahead; served by the next_sched index. */
    parkedCron: `SELECT ${JOB_COLUMNS} FROM ${t} WHERE next_sched > ? AND cron IS NOT NULL AND instance_id IS NULL ORDER BY next_sched LIMIT ?`,
    /** params: run_now, path, body. Only an idle job without a pending request takes one. */
    requestRun: `UPDATE ${t} SET run_now = ? WHERE path = ? AND body = ? AND instance_id IS NULL AND run_now IS NULL`,
    /** params: limit. Run-now requests, oldest first. */
    // `+instance_id`: without it SQLite reads the claim index's whole unclaimed range (every
    // waiting job: 19 ms per claim with 100,000) instead of the few rows of the run_now index.
    selectRunNow: `
      SELECT ${JOB_COLUMNS} FROM ${t}
      WHERE run_now IS NOT NULL AND +instance_id IS NULL ORDER BY run_now LIMIT ?`,
    /** params: path, body */
    getJob: `SELECT ${JOB_COLUMNS} FROM ${t} WHERE path = ? AND body = ?`,
    /** params: path, body */
    deleteJob: `DELETE FROM ${t} WHERE path = ? AND body = ?`,
    /** params: next_run, next_sched, sched_anchor (NULL keeps it), id */
    setSchedule: `UPDATE ${t} SET next_run = ?, next_sched = ?, sched_anchor = COALESCE(?, sched_anchor) WHERE id = ?`,
    /** params: now, limit. Served by the (instance_id, next_run) index. */
    selectDue: `
      SELECT ${JOB_COLUMNS} FROM ${t}
      WHERE instance_id IS NULL AND next_run <= ? ORDER BY next_run LIMIT ?`,
    /** params: instance_id, claim_token, id */
    claim: `UPDATE ${t} SET instance_id = ?, claim_token = ? WHERE id = ?`,
    /**
     * params: instance_id, claim_token, now, limit. The due jobs claimed in one statement, the
     * claimed rows returned (in no particular order): one call instead of a SELECT and an
     * UPDATE per job. The subquery reads the (instance_id, next_run) index.
     */
    claimDue: `
      UPDATE ${t} SET instance_id = ?, claim_token = ?
      WHERE id IN (SELECT id FROM ${t} WHERE instance_id IS NULL AND next_run <= ? ORDER BY next_run LIMIT ?)
      RETURNING ${JOB_COLUMNS}`,
    nextDueAt: `
      SELECT MIN(next) AS next FROM (
        SELECT MIN(next_run) AS next FROM ${t} WHERE instance_id IS NULL AND next_run IS NOT NULL
        UNION ALL SELECT MIN(run_now) FROM ${t} WHERE run_now IS NOT NULL AND instance_id IS NULL)`,
    /** params: id, instance_id, claim_token. Only while the claim holds. */
    deleteClaimed: `DELETE FROM ${t} WHERE id = ? AND instance_id = ? AND claim_token = ?`,
    /**
     * params: next_run, next_sched, last_run, last_status, failures, id, instance_id, claim_token.
     * Only while the claim holds; a disabled job stays disabled; a run-now request is cleared.
     */
    updateClaimed: `
      UPDATE ${t} SET next_run = CASE WHEN next_run IS NULL THEN NULL ELSE ? END, next_sched = ?,
        instance_id = NULL, claim_token = NULL, last_run = ?, last_status = ?, failures = ?, run_now = NULL
      WHERE id = ? AND instance_id = ? AND claim_token = ?`,
    /** params: id, updated_at */
    heartbeat: `
      INSERT INTO ${inst} (id, updated_at) VALUES (?, ?)
      ON CONFLICT (id) DO UPDATE SET updated_at = excluded.updated_at`,
    /** The pause flag: a row while paused. */
    pausedSince: `SELECT paused_at FROM ${pause} WHERE id = 1`,
    /** params: paused_at. A pause in force keeps its first time. */
    pause: `INSERT INTO ${pause} (id, paused_at) VALUES (1, ?) ON CONFLICT (id) DO NOTHING`,
    resume: `DELETE FROM ${pause}`,
    /** params: path, body, sched, started_at, duration_ms, status, outcome, attempt, instance_id */
    insertRun: `INSERT INTO ${runs} (path, body, sched, started_at, duration_ms, status, outcome, attempt, instance_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    /** params: path, body, before id, limit. Newest first, on the (path, body, id) index. */
    listRuns: `SELECT ${RUN_COLUMNS} FROM ${runs} WHERE path = ? AND body = ? AND id < ? ORDER BY id DESC LIMIT ?`,
    /** params: started_at bound, limit. */
    trimRunsByAge: `DELETE FROM ${runs} WHERE id IN (SELECT id FROM ${runs} WHERE started_at < ? ORDER BY started_at LIMIT ?)`,
    /** params: path, body, path, body, keep. The runs older than the job's newest `keep`. */
    trimRunsByCount: `DELETE FROM ${runs} WHERE path = ? AND body = ? AND id <= (SELECT id FROM ${runs} WHERE path = ? AND body = ? ORDER BY id DESC LIMIT 1 OFFSET ?)`,
    ...commonQueries(t, inst),
    list: (segment: Omit<ListSegment, 'after'> & { hasAfter: boolean }, hasPath: boolean): string =>
      listSql(t, JOB_COLUMNS, segment, hasPath),
  };
}

export type SqliteQueries = ReturnType<typeof sqliteQueries>;
