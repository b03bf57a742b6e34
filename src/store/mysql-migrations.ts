// The MySQL/MariaDB schema, as an append-only list of migrations (see migrations.ts for the
// rules). To change the schema, append a migration here — and to the other engines' lists.
// DDL commits on its own in MySQL: a migration may be cut half-way and run again, so each one
// checks before it alters (columnExists, or a diff like migration 1's).
import { createHash } from 'node:crypto';
import type { Pool, PoolConnection, RowDataPacket } from 'mysql2/promise';
import { StoreUnavailableError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Migration, MigrationTarget } from './migrations.js';
import type { MysqlQueries } from './mysql-queries.js';
import { createOrAdoptTables, ddl } from './mysql-schema.js';

/** What a MySQL migration runs on: the connection holding the migration lock. */
export interface MysqlMigrationDb {
  readonly conn: PoolConnection;
  readonly q: MysqlQueries;
  readonly log?: Logger;
}

export const MYSQL_MIGRATIONS: readonly Migration<MysqlMigrationDb>[] = [
  {
    version: 1,
    name: 'jobs and instances tables (created, or adopted from Go Dalga v3/v4)',
    up: async ({ conn, q, log }) => createOrAdoptTables(conn, q, log),
  },
  {
    version: 2,
    // Set by every claim; every outcome write is conditional on it (claim fencing).
    name: 'claim_token column',
    up: async (db) => {
      if (!(await columnExists(db, 'claim_token'))) await alterJobs(db, ['ADD COLUMN claim_token BIGINT NULL']);
    },
  },
  {
    version: 3,
    // Cron schedules, the misfire policy and run-now requests. Defaults fit every existing row
    // (an interval job, misfire once), and Go Dalga's INSERTs, which do not name the columns.
    name: 'cron, misfire, catchup and run_now columns',
    up: async (db) => {
      const clauses: string[] = [];
      if (!(await columnExists(db, 'cron'))) clauses.push('ADD COLUMN cron VARCHAR(255) NULL');
      if (!(await columnExists(db, 'misfire'))) clauses.push("ADD COLUMN misfire VARCHAR(8) NOT NULL DEFAULT 'once'");
      if (!(await columnExists(db, 'catchup'))) clauses.push("ADD COLUMN catchup VARCHAR(64) NOT NULL DEFAULT 'PT1H'");
      if (!(await columnExists(db, 'run_now'))) clauses.push('ADD COLUMN run_now DATETIME(3) NULL, ADD KEY run_now_idx (run_now)');
      if (clauses.length > 0) await alterJobs(db, clauses);
    },
  },
  {
    version: 4,
    // utf8mb4_bin pads with spaces: `report ` and `report` were one key. A NO PAD binary
    // collation compares byte for byte. Going from PAD to NO PAD never creates a duplicate key.
    name: 'byte-exact keys: path and body in a NO PAD binary collation',
    up: async (db) => {
      const collation = await noPadBinaryCollation(db);
      if (collation === undefined) {
        db.log?.warn({ table: db.q.tableName }, 'this server has no NO PAD binary collation: keys that differ only by trailing spaces stay one job');
        return;
      }
      const [rows] = await db.conn.query<RowDataPacket[]>(db.q.columns, [db.q.tableName, db.q.tableName]);
      const needed = ['path', 'body'].filter((col) => rows.find((r) => r.col === col)?.coll !== collation);
      if (needed.length === 0) return;
      await alterJobs(db, needed.map((col) => `MODIFY ${col} VARCHAR(255) CHARACTER SET utf8mb4 COLLATE ${collation} NOT NULL`));
    },
  },
  {
    version: 5,
    // PUT /pause: one row while every instance's deliveries are paused (README "Pausing everything").
    name: 'pause table',
    up: async (db) => ddl(db.conn, db.q, db.q.createPause),
  },
  {
    version: 6,
    // Fixed intervals count occurrences from it, keeping the phase across DST (README "Fixed
    // intervals and DST"). NULL, as in every existing row and Go Dalga's INSERTs: counted from
    // next_sched as before.
    name: 'sched_anchor column',
    up: async (db) => {
      if (!(await columnExists(db, 'sched_anchor'))) await alterJobs(db, ['ADD COLUMN sched_anchor DATETIME(3) NULL']);
    },
  },
  {
    version: 7,
    // Run history (README "Run history"): one row per delivery attempt, trimmed by count and age.
    name: 'runs table',
    // path and body in the jobs table's byte-exact collation (migration 4), where the server has one.
    up: async (db) => ddl(db.conn, db.q, db.q.createRuns((await noPadBinaryCollation(db)) ?? 'utf8mb4_bin')),
  },
];

/** MySQL 8's utf8mb4_0900_bin or MariaDB's utf8mb4_nopad_bin, whichever the server has. */
async function noPadBinaryCollation(db: MysqlMigrationDb): Promise<string | undefined> {
  const [rows] = await db.conn.query<RowDataPacket[]>(db.q.noPadBinaryCollations);
  const names = rows.map((r) => String(r.name));
  return ['utf8mb4_0900_bin', 'utf8mb4_nopad_bin'].find((name) => names.includes(name));
}

/** Whether the jobs table has `column` (for migrations that must be safe to run twice). */
export async function columnExists(db: MysqlMigrationDb, column: string): Promise<boolean> {
  const [rows] = await db.conn.query<RowDataPacket[]>(db.q.columns, [db.q.tableName, db.q.tableName]);
  return rows.some((r) => r.col === column);
}

/** ALTER TABLE on the jobs table, with the privilege hint of ddl(). */
export async function alterJobs(db: MysqlMigrationDb, clauses: readonly string[]): Promise<void> {
  await ddl(db.conn, db.q, db.q.alterJobs(clauses));
}

/** GET_LOCK is the lock: session-wide, so every migration runs on the one connection holding it. */
export function mysqlMigrationTarget(pool: Pool, q: MysqlQueries, where: string, log?: Logger): MigrationTarget<MysqlMigrationDb> {
  const versions = async (conn: Pick<Pool, 'query'>): Promise<number[]> => {
    const [rows] = await conn.query<RowDataPacket[]>(q.ledgerVersions);
    return rows.map((r) => Number(r.version));
  };
  return {
    describe: `table ${q.tableName} in ${where}`,
    readVersions: async () => {
      try {
        return await versions(pool);
      } catch (err) {
        if ((err as { errno?: number }).errno === 1146) return null; // ER_NO_SUCH_TABLE
        throw err;
      }
    },
    withLock: async (fn) => {
      const conn = await pool.getConnection();
      const lock = lockName(q.tableName);
      try {
        const [[got]] = await conn.query<RowDataPacket[]>(q.getLock, [lock]);
        if (got?.ok !== 1) throw new StoreUnavailableError(`timed out waiting for another instance to migrate table ${q.tableName} — try again`);
        try {
          return await fn({ conn, q, ...(log ? { log } : {}) });
        } finally {
          await conn.query(q.releaseLock, [lock]);
        }
      } finally {
        conn.release();
      }
    },
    lockedVersions: async (db) => {
      await ddl(db.conn, q, q.createLedger);
      return versions(db.conn);
    },
    record: async (db, migration) => {
      await db.conn.query(q.recordMigration, [migration.version, migration.name]);
    },
    dropped: {
      ledger: q.ledgerName,
      others: ['instances', 'pause', 'runs'].map((suffix) => `${q.tableName}_${suffix}`),
      jobsTableMissing: async () => {
        try {
          await pool.query(q.probeJobs);
          return false;
        } catch (err) {
          if ((err as { errno?: number }).errno === 1146) return true; // ER_NO_SUCH_TABLE
          throw err;
        }
      },
    },
  };
}

/** GET_LOCK names are server-wide and limited to 64 characters; the same name as before the ledger. */
function lockName(table: string): string {
  return `dalga_create_${createHash('sha1').update(table).digest('hex').slice(0, 40)}`;
}
