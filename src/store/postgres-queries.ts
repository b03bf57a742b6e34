// Every PostgreSQL statement of the project. `schema` and `name` are identifiers already checked
// (checkTableName, the config's schema rule); they are double-quoted here. Times are
// timestamptz(3), bound as ISO 8601 strings in UTC. Batches travel as arrays (unnest), so one
// prepared statement serves every batch size. Parameters are listed per statement.
import { createHash } from 'node:crypto';
import { commonQueries } from './common-queries.js';
import { listSql, type ListSegment } from './list-plan.js';

export const PG_JOB_COLUMNS =
  'id, path, body, "interval", location, next_run, next_sched, instance_id, last_run, last_status, failures, claim_token, cron, misfire, catchup, run_now, sched_anchor';

/** `?` placeholders (the shared statement texts) renumbered as PostgreSQL's `$1, $2, …`. */
export function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

export function postgresQueries(schema: string, name: string) {
  const q = (id: string): string => `"${id}"`;
  const s = q(schema);
  const t = `${s}.${q(name)}`;
  const inst = `${s}.${q(`${name}_instances`)}`;
  const ledger = `${s}.${q(`${name}_migrations`)}`;
  const pause = `${s}.${q(`${name}_pause`)}`;
  const runs = `${s}.${q(`${name}_runs`)}`;
  // Index names are per schema in PostgreSQL: prefixed with the table, short suffixes keep them
  // within the 63-character limit for the longest table name (53).
  const index = (suffix: string): string => q(`${name}_${suffix}`);
  const common = commonQueries(t, inst);
  return {
    schemaName: schema,
    tableName: name,
    instancesName: `${name}_instances`,
    /** LISTEN/NOTIFY channel of this table: a hash, so any schema and table fit in 63 characters. */
    channel: `dalga_${createHash('sha1').update(`${schema}.${name}`).digest('hex').slice(0, 24)}`,
    /** Key of the advisory lock that serialises migrations between instances. */
    lockKey: `dalga_migrate ${schema}.${name}`,
    serverNow: 'SELECT clock_timestamp() AS now',
    begin: 'BEGIN',
    commit: 'COMMIT',
    rollback: 'ROLLBACK',
    /** params: path, body, interval, location, next_run, next_sched, cron, misfire, catchup, sched_anchor. Keeps id on replace. */
    putJob: `
      INSERT INTO ${t} (path, body, "interval", location, next_run, next_sched, cron, misfire, catchup, sched_anchor)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
      ON CONFLICT (path, body) DO UPDATE SET "interval" = EXCLUDED."interval", location = EXCLUDED.location,
        next_run = EXCLUDED.next_run, next_sched = EXCLUDED.next_sched,
        instance_id = NULL, claim_token = NULL, last_run = NULL, last_status = NULL, failures = 0,
        cron = EXCLUDED.cron, misfire = EXCLUDED.misfire, catchup = EXCLUDED.catchup, run_now = NULL,
        sched_anchor = EXCLUDED.sched_anchor
      RETURNING id`,
    /** params: after, limit. Cron rows a Go Dalga instance parked far ahead; served by the next_sched index. */
    parkedCron: `SELECT ${PG_JOB_COLUMNS} FROM ${t} WHERE next_sched > $1 AND cron IS NOT NULL AND instance_id IS NULL ORDER BY next_sched LIMIT $2`,
    /** params: run_now, path, body. Only an idle job without a pending request takes one. */
    requestRun: `UPDATE ${t} SET run_now = $1 WHERE path = $2 AND body = $3 AND instance_id IS NULL AND run_now IS NULL`,
    /** params: path, body */
    getJob: `SELECT ${PG_JOB_COLUMNS} FROM ${t} WHERE path = $1 AND body = $2`,
    /** params: path, body */
    getJobForUpdate: `SELECT ${PG_JOB_COLUMNS} FROM ${t} WHERE path = $1 AND body = $2 FOR UPDATE`,
    /** params: path, body */
    deleteJob: `DELETE FROM ${t} WHERE path = $1 AND body = $2`,
    /** params: next_run, next_sched, sched_anchor (NULL keeps it), id */
    setSchedule: `UPDATE ${t} SET next_run = $1, next_sched = $2, sched_anchor = COALESCE($3::timestamptz, sched_anchor) WHERE id = $4`,
    /** params: channel, payload. Delivered to the listeners when the transaction commits. */
    notify: 'SELECT pg_notify($1, $2)',
    /**
     * params: now, limit, instance_id, claim token. One statement, so one round trip: the rows
     * are locked SKIP LOCKED (a row another claim holds is never waited for) through the
     * partial index of unclaimed jobs, and marked with the claim's token, by which a claim
     * whose answer was lost can be given back. The picked ids are one array for an index
     * condition: joined as a table (`FROM picked`), they made the planner hash the whole table
     * below ~100,000 rows (a sequential scan per claim).
     */
    // Run-now requests (POST /jobs) are taken first, then due jobs.
    claim: `
      WITH requested AS (
        SELECT id FROM ${t} WHERE run_now IS NOT NULL AND instance_id IS NULL
        ORDER BY run_now LIMIT $2 FOR UPDATE SKIP LOCKED
      ), due AS (
        SELECT id FROM ${t} WHERE instance_id IS NULL AND next_run <= $1
        ORDER BY next_run LIMIT $2 FOR UPDATE SKIP LOCKED
      ), picked AS (
        SELECT id FROM (SELECT id, 0 AS rank FROM requested UNION ALL SELECT id, 1 FROM due) AS c
        GROUP BY id ORDER BY MIN(rank) LIMIT $2
      )
      UPDATE ${t} AS j SET instance_id = $3, claim_token = $4 WHERE j.id = ANY(ARRAY(SELECT id FROM picked))
      RETURNING j.id, j.path, j.body, j."interval", j.location, j.next_run, j.next_sched, j.instance_id, j.last_run, j.last_status, j.failures, j.claim_token,
        j.cron, j.misfire, j.catchup, j.run_now, j.sched_anchor`,
    /** params: instance_id, claim tokens (bigint[]). Gives back jobs a claim may have taken although its answer was lost. */
    releaseClaims: `UPDATE ${t} SET instance_id = NULL, claim_token = NULL WHERE instance_id = $1 AND claim_token = ANY($2::bigint[])`,
    /** Served by the partial index of unclaimed jobs: its first entry. */
    nextDueAt: `
      SELECT LEAST((SELECT MIN(next_run) FROM ${t} WHERE instance_id IS NULL),
                   (SELECT MIN(run_now) FROM ${t} WHERE run_now IS NOT NULL AND instance_id IS NULL)) AS next`,
    /**
     * params: delete ids, their instance ids; update ids, instance ids, next_run, next_sched,
     * last_run, last_status, failures; delete claim tokens; update claim tokens (arrays of equal
     * length). Both parts in one statement (atomic, one round trip). A job disabled while it ran
     * (next_run NULL) stays disabled; a job no longer held by the same claim (replaced,
     * released, claimed again: instance_id or claim_token differ) is left alone. `j.id = ANY(…)`
     * repeats the join on id as an index condition: without it the planner joins on instance_id
     * (the claimed-rows index gives it sorted, and every row of the batch has the same value),
     * comparing every outcome with every claimed row (65,280 rows filtered for a batch of 256),
     * or hashes the whole table.
     */
    recordOutcomes: `
      WITH gone AS (
        DELETE FROM ${t} AS j USING unnest($1::bigint[], $2::bigint[], $10::bigint[]) AS d(id, instance_id, claim_token)
        WHERE j.id = ANY($1::bigint[]) AND j.id = d.id AND j.instance_id = d.instance_id AND j.claim_token = d.claim_token
        RETURNING 1
      ), changed AS (
        UPDATE ${t} AS j SET
          next_run = CASE WHEN j.next_run IS NULL THEN NULL ELSE u.next_run END,
          next_sched = u.next_sched,
          instance_id = NULL,
          claim_token = NULL,
          run_now = NULL,
          last_run = u.last_run,
          last_status = u.last_status,
          failures = u.failures
        FROM unnest($3::bigint[], $4::bigint[], $5::timestamptz[], $6::timestamptz[], $7::timestamptz[], $8::text[], $9::int[], $11::bigint[])
          AS u(id, instance_id, next_run, next_sched, last_run, last_status, failures, claim_token)
        WHERE j.id = ANY($3::bigint[]) AND j.id = u.id AND j.instance_id = u.instance_id AND j.claim_token = u.claim_token
        RETURNING 1
      )
      SELECT (SELECT COUNT(*) FROM gone) AS deleted, (SELECT COUNT(*) FROM changed) AS updated`,
    /** params: id, updated_at */
    heartbeat: `INSERT INTO ${inst} (id, updated_at) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET updated_at = EXCLUDED.updated_at`,
    /** The pause flag: a row while paused. */
    pausedSince: `SELECT paused_at FROM ${pause} WHERE id = 1`,
    /** params: paused_at. A pause in force keeps its first time. */
    pause: `INSERT INTO ${pause} (id, paused_at) VALUES (1, $1) ON CONFLICT (id) DO NOTHING`,
    resume: `DELETE FROM ${pause}`,
    /** params: arrays of path, body, sched, started_at, duration_ms, status, outcome, attempt, instance_id. */
    insertRuns: `
      INSERT INTO ${runs} (path, body, sched, started_at, duration_ms, status, outcome, attempt, instance_id)
      SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::int[], $6::text[], $7::text[], $8::int[], $9::bigint[])`,
    /** params: path, body, before id, limit. Newest first. */
    listRuns: `SELECT id, path, body, sched, started_at, duration_ms, status, outcome, attempt, instance_id FROM ${runs}
      WHERE path = $1 AND body = $2 AND id < $3 ORDER BY id DESC LIMIT $4`,
    /** params: started_at bound, limit. */
    trimRunsByAge: `DELETE FROM ${runs} WHERE id IN (SELECT id FROM ${runs} WHERE started_at < $1 ORDER BY started_at LIMIT $2)`,
    /** params: path, body, keep. */
    trimRunsByCount: `DELETE FROM ${runs} WHERE path = $1 AND body = $2 AND id <= (SELECT id FROM ${runs} WHERE path = $1 AND body = $2 ORDER BY id DESC LIMIT 1 OFFSET $3)`,
    expireInstances: numbered(common.expireInstances),
    removeInstance: numbered(common.removeInstance),
    status: numbered(common.status),
    listInstances: numbered(common.listInstances),
    list: (segment: Omit<ListSegment, 'after'> & { hasAfter: boolean }, hasPath: boolean): string =>
      numbered(listSql(t, PG_JOB_COLUMNS, segment, hasPath)),

    // ---- schema -------------------------------------------------------------------------------
    /** params: schema, table, instances table. Which of the three exist (the schema, for migrations). */
    existing: `
      SELECT to_regnamespace(quote_ident($1)) IS NOT NULL AS has_schema,
             to_regclass(quote_ident($1) || '.' || quote_ident($2)) IS NOT NULL AS has_jobs,
             to_regclass(quote_ident($1) || '.' || quote_ident($3)) IS NOT NULL AS has_instances`,
    createLedger: `
      CREATE TABLE IF NOT EXISTS ${ledger} (
        version    integer        NOT NULL PRIMARY KEY,
        name       varchar(255)   NOT NULL,
        applied_at timestamptz(3) NOT NULL
      )`,
    ledgerVersions: `SELECT version FROM ${ledger} ORDER BY version`,
    /** params: version, name */
    recordMigration: `INSERT INTO ${ledger} (version, name, applied_at) VALUES ($1, $2, clock_timestamp())`,
    /** params: lock key. Held until the transaction ends; serialises migrations between instances. */
    lock: 'SELECT pg_advisory_xact_lock(hashtext($1))',
    createSchema: `CREATE SCHEMA IF NOT EXISTS ${s}`,
    /** The original's instances table, with millisecond times; instance ids are unsigned 32-bit. */
    createInstances: `
      CREATE TABLE IF NOT EXISTS ${inst} (
        id         bigint         NOT NULL PRIMARY KEY,
        updated_at timestamptz(3) NOT NULL
      )`,
    /** The MySQL table's columns, with a claim token, and the same indexes. */
    createJobs: `
      CREATE TABLE IF NOT EXISTS ${t} (
        path        varchar(255) COLLATE "C" NOT NULL,
        body        varchar(255) COLLATE "C" NOT NULL,
        "interval"  varchar(255) NOT NULL,
        location    varchar(255) NOT NULL,
        next_run    timestamptz(3) NULL,
        next_sched  timestamptz(3) NOT NULL,
        instance_id bigint NULL REFERENCES ${inst} (id) ON DELETE SET NULL,
        claim_token bigint NULL,
        id          bigint GENERATED BY DEFAULT AS IDENTITY UNIQUE,
        last_run    timestamptz(3) NULL,
        last_status varchar(255) NULL,
        failures    integer NOT NULL DEFAULT 0,
        PRIMARY KEY (path, body)
      )`,
    createIndexes: [
      // Claims and nextDueAt: unclaimed jobs in next_run order, and nothing else.
      `CREATE INDEX IF NOT EXISTS ${index('due')} ON ${t} (next_run) WHERE instance_id IS NULL`,
      // Counting one instance's jobs, releasing them (ON DELETE SET NULL), releasing lost claims.
      `CREATE INDEX IF NOT EXISTS ${index('claimed')} ON ${t} (instance_id) WHERE instance_id IS NOT NULL`,
      `CREATE INDEX IF NOT EXISTS ${index('run')} ON ${t} (next_run, id)`,
      `CREATE INDEX IF NOT EXISTS ${index('sched')} ON ${t} (next_sched, id)`,
      `CREATE INDEX IF NOT EXISTS ${index('path')} ON ${t} (path, id)`,
    ],
    /** Migration 4: the run history. */
    createRuns: [
      `CREATE TABLE IF NOT EXISTS ${runs} (
        id          bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        path        varchar(255) COLLATE "C" NOT NULL,
        body        varchar(255) COLLATE "C" NOT NULL,
        sched       timestamptz(3) NOT NULL,
        started_at  timestamptz(3) NOT NULL,
        duration_ms integer NOT NULL,
        status      varchar(255) NOT NULL,
        outcome     varchar(16) NOT NULL,
        attempt     integer NOT NULL,
        instance_id bigint NOT NULL
      )`,
      `CREATE INDEX IF NOT EXISTS ${index('runs_job')} ON ${runs} (path, body, id)`,
      `CREATE INDEX IF NOT EXISTS ${index('runs_at')} ON ${runs} (started_at)`,
    ],
    /** Migration 3. */
    createPause: `
      CREATE TABLE IF NOT EXISTS ${pause} (
        id        smallint       NOT NULL PRIMARY KEY,
        paused_at timestamptz(3) NOT NULL
      )`,
    /** Migration 4 (README "Fixed intervals and DST"). */
    addSchedAnchor: `ALTER TABLE ${t} ADD COLUMN IF NOT EXISTS sched_anchor timestamptz(3) NULL`,
    /** Migration 2. */
    addCronColumns: [
      `ALTER TABLE ${t} ADD COLUMN IF NOT EXISTS cron varchar(255) NULL,
         ADD COLUMN IF NOT EXISTS misfire varchar(8) NOT NULL DEFAULT 'once',
         ADD COLUMN IF NOT EXISTS catchup varchar(64) NOT NULL DEFAULT 'PT1H',
         ADD COLUMN IF NOT EXISTS run_now timestamptz(3) NULL`,
      `CREATE INDEX IF NOT EXISTS ${index('run_now')} ON ${t} (run_now) WHERE run_now IS NOT NULL`,
    ],
  };
}

export type PostgresQueries = ReturnType<typeof postgresQueries>;
