// Every MySQL/MariaDB statement of the project. `name` is a table name already checked by
// checkTableName; it is backquoted here. Times are DATETIME(3) in UTC, bound as
// 'YYYY-MM-DD HH:MM:SS.mmm' strings. Parameters are listed per statement.
import { commonQueries } from './common-queries.js';
import { listSql, type ListSegment } from './list-plan.js';

export const JOB_COLUMNS =
  'id, path, body, `interval`, location, next_run, next_sched, instance_id, last_run, last_status, failures, claim_token, cron, misfire, catchup, run_now, sched_anchor';

/** A DATETIME(3) column as epoch milliseconds (BIGINT), computed by the server; exact for every year DATETIME holds. */
const epochMs = (column: string): string => `TIMESTAMPDIFF(MICROSECOND, TIMESTAMP'1970-01-01 00:00:00', ${column}) DIV 1000`;

/**
 * JOB_COLUMNS in the same order with the times as epoch ms, for the claim, whose rows are read as
 * arrays (jobRowFromValues): mysql2 writes each DATETIME it reads as text piece by piece, five
 * per claimed row, all garbage once parsed. The aliases differ from the column names: an alias
 * `next_run` would take over the claim's `ORDER BY next_run` and lose the index order.
 */
export const JOB_COLUMNS_MS = [
  'id, path, body, `interval`, location',
  `${epochMs('next_run')} AS next_run_ms`,
  `${epochMs('next_sched')} AS next_sched_ms`,
  'instance_id',
  `${epochMs('last_run')} AS last_run_ms`,
  'last_status, failures, claim_token, cron, misfire, catchup',
  `${epochMs('run_now')} AS run_now_ms`,
  `${epochMs('sched_anchor')} AS sched_anchor_ms`,
].join(', ');

/** Columns whose definition createTables checks, with the definition it wants. */
export const JOB_COLUMN_DEFS = {
  path: 'VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL',
  body: 'VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL',
  next_run: 'DATETIME(3) NULL',
  next_sched: 'DATETIME(3) NOT NULL',
  id: 'BIGINT NOT NULL AUTO_INCREMENT UNIQUE',
  last_run: 'DATETIME(3) NULL',
  last_status: 'VARCHAR(255) NULL',
  failures: 'INT NOT NULL DEFAULT 0',
} as const;

/** Indexes createTables makes sure of: name → columns (a longer index with this prefix also does). */
export const JOB_INDEXES = {
  claim_idx: ['instance_id', 'next_run'],
  next_run_idx: ['next_run', 'id'],
  next_sched_idx: ['next_sched', 'id'],
  /** Listing one path (often many jobs share a path and differ by body) in insert order. */
  path_idx: ['path', 'id'],
} as const;

export function mysqlQueries(name: string) {
  const t = `\`${name}\``;
  const inst = `\`${name}_instances\``;
  const ledger = `\`${name}_migrations\``;
  const pause = `\`${name}_pause\``;
  const runs = `\`${name}_runs\``;
  const list = (n: number): string => Array.from({ length: n }, () => '?').join(', ');
  const cases = (n: number): string => Array.from({ length: n }, () => 'WHEN ? THEN ?').join(' ');
  // The batched statements by row count (powers of two): built once each, not per batch.
  const byCount = (build: (n: number) => string): ((n: number) => string) => {
    const made = new Map<number, string>();
    return (n) => {
      let sql = made.get(n);
      if (sql === undefined) made.set(n, (sql = build(n)));
      return sql;
    };
  };
  return {
    tableName: name,
    instancesName: `${name}_instances`,
    /** params: none. The original's instances table with millisecond precision. */
    createInstances: `
      CREATE TABLE IF NOT EXISTS ${inst} (
        id         INT UNSIGNED NOT NULL,
        updated_at DATETIME(3)  NOT NULL,
        PRIMARY KEY (id)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
    /** params: none. The original's v4 table, plus last_run, last_status, failures and listing indexes. */
    createJobs: `
      CREATE TABLE IF NOT EXISTS ${t} (
        path        ${JOB_COLUMN_DEFS.path},
        body        ${JOB_COLUMN_DEFS.body},
        \`interval\`  VARCHAR(255) NOT NULL,
        location    VARCHAR(255) NOT NULL,
        next_run    ${JOB_COLUMN_DEFS.next_run},
        next_sched  ${JOB_COLUMN_DEFS.next_sched},
        instance_id INT UNSIGNED NULL,
        id          ${JOB_COLUMN_DEFS.id},
        last_run    ${JOB_COLUMN_DEFS.last_run},
        last_status ${JOB_COLUMN_DEFS.last_status},
        failures    ${JOB_COLUMN_DEFS.failures},
        PRIMARY KEY (path, body),
        KEY claim_idx (instance_id, next_run),
        KEY next_run_idx (next_run, id),
        KEY next_sched_idx (next_sched, id),
        KEY path_idx (path, id),
        FOREIGN KEY (instance_id) REFERENCES ${inst} (id) ON DELETE SET NULL
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
    /** The pause flag (migration 4): a row while paused. */
    createPause: `
      CREATE TABLE IF NOT EXISTS ${pause} (
        id        TINYINT UNSIGNED NOT NULL,
        paused_at DATETIME(3)      NOT NULL,
        PRIMARY KEY (id)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
    pausedSince: `SELECT paused_at FROM ${pause} WHERE id = 1`,
    /** Run history (migration 6). */
    /** `collation` is one of a fixed list (mysql-migrations.ts), never user input. */
    createRuns: (collation: string): string => `
      CREATE TABLE IF NOT EXISTS ${runs} (
        id          BIGINT NOT NULL AUTO_INCREMENT,
        path        VARCHAR(255) CHARACTER SET utf8mb4 COLLATE ${collation} NOT NULL,
        body        VARCHAR(255) CHARACTER SET utf8mb4 COLLATE ${collation} NOT NULL,
        sched       DATETIME(3)  NOT NULL,
        started_at  DATETIME(3)  NOT NULL,
        duration_ms INT UNSIGNED NOT NULL,
        status      VARCHAR(255) NOT NULL,
        outcome     VARCHAR(16)  NOT NULL,
        attempt     INT UNSIGNED NOT NULL,
        instance_id INT UNSIGNED NOT NULL,
        PRIMARY KEY (id),
        KEY job_idx (path, body, id),
        KEY started_idx (started_at)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
    /** Followed by ` VALUES (path, body, sched, started_at, duration_ms, status, outcome, attempt, instance_id), …` (escaped by the caller). */
    insertRunsInto: `INSERT INTO ${runs} (path, body, sched, started_at, duration_ms, status, outcome, attempt, instance_id)`,
    /** params: path, body, before id, limit. Newest first, on job_idx. */
    listRuns: `SELECT id, path, body, sched, started_at, duration_ms, status, outcome, attempt, instance_id FROM ${runs}
      WHERE path = ? AND body = ? AND id < ? ORDER BY id DESC LIMIT ?`,
    /** params: started_at bound, limit. Oldest first on started_idx: a short lock each time. */
    trimRunsByAge: `DELETE FROM ${runs} WHERE started_at < ? ORDER BY started_at LIMIT ?`,
    /** params: path, body, keep, path, body. The derived table (LIMIT: materialised) finds the cut. */
    trimRunsByCount: `
      DELETE r FROM ${runs} AS r
      JOIN (SELECT id FROM ${runs} WHERE path = ? AND body = ? ORDER BY id DESC LIMIT 1 OFFSET ?) AS cut ON r.id <= cut.id
      WHERE r.path = ? AND r.body = ?`,
    /** params: paused_at. A pause in force keeps its first time. */
    pause: `INSERT INTO ${pause} (id, paused_at) VALUES (1, ?) ON DUPLICATE KEY UPDATE id = id`,
    resume: `DELETE FROM ${pause}`,
    /** params: jobs table name, instances table name */
    columns: `
      SELECT TABLE_NAME AS tbl, COLUMN_NAME AS col, DATA_TYPE AS type, DATETIME_PRECISION AS fsp, COLLATION_NAME AS coll
      FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN (?, ?)`,
    noPadBinaryCollations: `
      SELECT COLLATION_NAME AS name FROM information_schema.COLLATIONS
      WHERE COLLATION_NAME IN ('utf8mb4_0900_bin', 'utf8mb4_nopad_bin')`,
    /** params: jobs table name */
    indexes: `
      SELECT INDEX_NAME AS name, COLUMN_NAME AS col FROM information_schema.STATISTICS
      WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY INDEX_NAME, SEQ_IN_INDEX`,
    /** One ALTER for all upgrade clauses, so the table is rebuilt at most once. */
    alterJobs: (clauses: readonly string[]): string => `ALTER TABLE ${t} ${clauses.join(', ')}`,
    alterInstances: `ALTER TABLE ${inst} MODIFY updated_at DATETIME(3) NOT NULL`,
    ledgerName: `${name}_migrations`,
    createLedger: `
      CREATE TABLE IF NOT EXISTS ${ledger} (
        version    INT UNSIGNED NOT NULL,
        name       VARCHAR(255) NOT NULL,
        applied_at DATETIME(3)  NOT NULL,
        PRIMARY KEY (version)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
    ledgerVersions: `SELECT version FROM ${ledger} ORDER BY version`,
    /** Fails with ER_NO_SUCH_TABLE when the jobs table is gone. */
    probeJobs: `SELECT 1 FROM ${t} LIMIT 0`,
    /** params: version, name */
    recordMigration: `INSERT INTO ${ledger} (version, name, applied_at) VALUES (?, ?, UTC_TIMESTAMP(3))`,
    /** params: lock name. Serialises migrations between instances. */
    getLock: 'SELECT GET_LOCK(?, 60) AS ok',
    /** params: lock name */
    releaseLock: 'SELECT RELEASE_LOCK(?) AS ok',
    hasTransactionIsolation: "SHOW SESSION VARIABLES LIKE 'transaction_isolation'",
    /** `variable` is checked by the caller; it cannot be a bound parameter. */
    sessionSetup: (variable: string): string => `SET SESSION ${variable} = 'READ-COMMITTED', time_zone = '+00:00'`,
    serverNow: 'SELECT UTC_TIMESTAMP(3) AS now',
    /** Transaction control as plain statements, so each one can carry the read/write timeout. */
    begin: 'START TRANSACTION',
    commit: 'COMMIT',
    rollback: 'ROLLBACK',
    /** params: path, body, interval, location, next_run, next_sched, cron, misfire, catchup, sched_anchor. Keeps id on replace. */
    putJob: `
      INSERT INTO ${t} (path, body, \`interval\`, location, next_run, next_sched, instance_id, last_run, last_status, failures, claim_token, cron, misfire, catchup, run_now, sched_anchor)
      VALUES (?, ?, ?, ?, ?, ?, NULL, NULL, NULL, 0, NULL, ?, ?, ?, NULL, ?)
      ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id), \`interval\` = VALUES(\`interval\`), location = VALUES(location),
        next_run = VALUES(next_run), next_sched = VALUES(next_sched),
        instance_id = NULL, last_run = NULL, last_status = NULL, failures = 0, claim_token = NULL,
        cron = VALUES(cron), misfire = VALUES(misfire), catchup = VALUES(catchup), run_now = NULL,
        sched_anchor = VALUES(sched_anchor)`,
    /** params: after, limit. Cron rows a Go Dalga instance parked far ahead; served by the next_sched index. */
    parkedCron: `SELECT ${JOB_COLUMNS} FROM ${t} WHERE next_sched > ? AND cron IS NOT NULL AND instance_id IS NULL ORDER BY next_sched LIMIT ?`,
    /** params: run_now, path, body. Only an idle job without a pending request takes one. */
    requestRun: `UPDATE ${t} SET run_now = ? WHERE path = ? AND body = ? AND instance_id IS NULL AND run_now IS NULL`,
    /** params: path, body */
    getJob: `SELECT ${JOB_COLUMNS} FROM ${t} WHERE path = ? AND body = ?`,
    /** params: path, body */
    getJobForUpdate: `SELECT ${JOB_COLUMNS} FROM ${t} WHERE path = ? AND body = ? FOR UPDATE`,
    /** params: path, body */
    deleteJob: `DELETE FROM ${t} WHERE path = ? AND body = ?`,
    /** params: next_run, next_sched, sched_anchor (NULL keeps it), id */
    setSchedule: `UPDATE ${t} SET next_run = ?, next_sched = ?, sched_anchor = COALESCE(?, sched_anchor) WHERE id = ?`,
    /**
     * params: limit, now, limit. Read as arrays: JOB_COLUMNS_MS, then `requested`. Run-now
     * requests (oldest first, on run_now_idx; `requested` 1), then due jobs (on claim_idx
     * (instance_id, next_run): no sort, no scan; `requested` 0), in one round trip. A row may come in both parts; the caller keeps it once. The indexes are
     * forced: inside a UNION the optimizer reads a table of due rows whole and sorts it (every
     * due row locked and read per claim) instead of reading the index in order up to the LIMIT.
     */
    selectClaimable: (skipLocked: boolean): string => {
      const lock = `FOR UPDATE${skipLocked ? ' SKIP LOCKED' : ''}`;
      return `
      (SELECT ${JOB_COLUMNS_MS}, 1 AS requested FROM ${t} FORCE INDEX (run_now_idx)
        WHERE run_now IS NOT NULL AND instance_id IS NULL ORDER BY run_now LIMIT ? ${lock})
      UNION ALL
      (SELECT ${JOB_COLUMNS_MS}, 0 AS requested FROM ${t} FORCE INDEX (claim_idx)
        WHERE instance_id IS NULL AND next_run <= ? ORDER BY next_run LIMIT ? ${lock})`;
    },
    /** params: instance_id, claim_token, then n ids */
    claim: byCount((n) => `UPDATE ${t} SET instance_id = ?, claim_token = ? WHERE id IN (${list(n)})`),
    /** params: n ids, instance_id. Gives back jobs a failed claim may have taken after all. */
    releaseClaims: byCount((n) => `UPDATE ${t} SET instance_id = NULL, claim_token = NULL WHERE id IN (${list(n)}) AND instance_id = ?`),
    // MIN() skips NULLs (disabled jobs) by itself; an explicit `next_run IS NOT NULL` makes
    // MariaDB scan every unclaimed row instead of reading the minimum off the claim index.
    nextDueAt: `
      SELECT MIN(next) AS next FROM (
        SELECT MIN(next_run) AS next FROM ${t} WHERE instance_id IS NULL
        UNION ALL SELECT MIN(run_now) FROM ${t} WHERE run_now IS NOT NULL AND instance_id IS NULL) AS due`,
    /** params: n ids, instance_id, (id, claim_token) × n. Only rows whose claim still holds. */
    deleteClaimed: byCount((n) => `DELETE FROM ${t} WHERE id IN (${list(n)}) AND instance_id = ? AND claim_token = CASE id ${cases(n)} END`),
    /**
     * params: (id, next_run) × n, (id, next_sched) × n, (id, last_run) × n, (id, last_status) × n,
     * (id, failures) × n, then n ids, instance_id, (id, claim_token) × n. One statement per
     * batch and instance; only rows whose claim still holds; a job disabled while it ran
     * (next_run NULL) stays disabled.
     */
    updateClaimed: byCount((n) => `
      UPDATE ${t} SET
        next_run = CASE WHEN next_run IS NULL THEN NULL ELSE CAST(CASE id ${cases(n)} END AS DATETIME(3)) END,
        next_sched = CAST(CASE id ${cases(n)} END AS DATETIME(3)),
        instance_id = NULL,
        claim_token = NULL,
        last_run = CAST(CASE id ${cases(n)} END AS DATETIME(3)),
        last_status = CASE id ${cases(n)} END,
        failures = CASE id ${cases(n)} END,
        run_now = NULL
      WHERE id IN (${list(n)}) AND instance_id = ? AND claim_token = CASE id ${cases(n)} END`),
    /** params: id, updated_at */
    heartbeat: `INSERT INTO ${inst} (id, updated_at) VALUES (?, ?) ON DUPLICATE KEY UPDATE updated_at = VALUES(updated_at)`,
    ...commonQueries(t, inst),
    list: (segment: Omit<ListSegment, 'after'> & { hasAfter: boolean }, hasPath: boolean): string =>
      listSql(t, JOB_COLUMNS, segment, hasPath),
  };
}

export type MysqlQueries = ReturnType<typeof mysqlQueries>;
