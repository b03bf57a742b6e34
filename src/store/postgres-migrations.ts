// The PostgreSQL schema, as an append-only list of migrations (see migrations.ts for the rules).
// To change the schema, append a migration here — and to the other engines' lists.
// DDL is transactional in PostgreSQL: the runner's pending migrations and their ledger rows run
// in one transaction under an advisory lock, so an interrupted run leaves nothing half-done.
import type { PoolClient } from 'pg';
import { StoreUnavailableError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Migration, MigrationTarget } from './migrations.js';
import type { PostgresQueries } from './postgres-queries.js';

/** What a PostgreSQL migration runs on: the connection holding the lock, inside its transaction. */
export interface PostgresMigrationDb {
  readonly client: PoolClient;
  readonly q: PostgresQueries;
}

export const POSTGRES_MIGRATIONS: readonly Migration<PostgresMigrationDb>[] = [
  {
    version: 1,
    name: 'jobs and instances tables',
    up: async ({ client, q }) => {
      await ddl(client, q, q.createInstances);
      await ddl(client, q, q.createJobs);
      for (const sql of q.createIndexes) await ddl(client, q, sql);
    },
  },
  {
    version: 2,
    // Cron schedules, the misfire policy and run-now requests. Defaults fit every existing row.
    name: 'cron, misfire, catchup and run_now columns',
    up: async ({ client, q }) => {
      for (const sql of q.addCronColumns) await ddl(client, q, sql);
    },
  },
  {
    version: 3,
    // PUT /pause: one row while every instance's deliveries are paused (README "Pausing everything").
    name: 'pause table',
    up: async ({ client, q }) => ddl(client, q, q.createPause),
  },
  {
    version: 4,
    // Fixed intervals count occurrences from it, keeping the phase across DST (README "Fixed
    // intervals and DST"). NULL, as in every existing row: counted from next_sched as before.
    name: 'sched_anchor column',
    up: async ({ client, q }) => ddl(client, q, q.addSchedAnchor),
  },
  {
    version: 5,
    // Run history (README "Run history"): one row per delivery attempt, trimmed by count and age.
    name: 'runs table',
    up: async ({ client, q }) => {
      for (const sql of q.createRuns) await ddl(client, q, sql);
    },
  },
];

/** SQLSTATE 42P01 undefined_table, 42501 insufficient_privilege. */
const UNDEFINED_TABLE = '42P01';
const INSUFFICIENT_PRIVILEGE = '42501';

/**
 * The lock is a transaction-level advisory lock: the pending migrations, their ledger rows and
 * a missing schema are created in one transaction, committed together or not at all.
 */
export function postgresMigrationTarget(
  connect: () => Promise<PoolClient>,
  q: PostgresQueries,
  where: string,
  log?: Logger,
): MigrationTarget<PostgresMigrationDb> {
  const versions = async (client: PoolClient): Promise<number[]> => (await client.query<{ version: number }>(q.ledgerVersions)).rows.map((r) => Number(r.version));
  return {
    describe: `table ${q.schemaName}.${q.tableName} in ${where}`,
    readVersions: async () => {
      const client = await connect();
      try {
        return await versions(client);
      } catch (err) {
        if ((err as { code?: unknown }).code === UNDEFINED_TABLE) return null;
        throw err;
      } finally {
        client.release();
      }
    },
    withLock: async (fn) => {
      const client = await connect();
      let broken = false;
      try {
        await client.query(q.begin);
        try {
          await client.query(q.lock, [q.lockKey]);
          const { rows } = await client.query<{ has_schema: boolean }>(q.existing, [q.schemaName, q.tableName, q.instancesName]);
          if (!rows[0]!.has_schema) {
            log?.info({ schema: q.schemaName }, 'creating the PostgreSQL schema');
            await ddl(client, q, q.createSchema);
          }
          const result = await fn({ client, q });
          await client.query(q.commit);
          return result;
        } catch (err) {
          await client.query(q.rollback).catch(() => {
            broken = true;
          });
          throw err;
        }
      } finally {
        client.release(broken);
      }
    },
    lockedVersions: async (db) => {
      await ddl(db.client, q, q.createLedger);
      return versions(db.client);
    },
    record: async (db, migration) => {
      await db.client.query(q.recordMigration, [migration.version, migration.name]);
    },
    dropped: {
      ledger: `${q.schemaName}.${q.tableName}_migrations`,
      others: ['instances', 'pause', 'runs'].map((suffix) => `${q.schemaName}.${q.tableName}_${suffix}`),
      jobsTableMissing: async () => {
        const client = await connect();
        try {
          const { rows } = await client.query<{ has_jobs: boolean }>(q.existing, [q.schemaName, q.tableName, q.instancesName]);
          return !rows[0]!.has_jobs;
        } finally {
          client.release();
        }
      },
    },
  };
}

/** DDL the user may lack the privileges for: say which, and how to get past it. */
async function ddl(client: PoolClient, q: PostgresQueries, sql: string): Promise<void> {
  try {
    await client.query(sql);
  } catch (err) {
    if ((err as { code?: unknown }).code !== INSUFFICIENT_PRIVILEGE) throw err;
    throw new StoreUnavailableError(
      `table ${q.schemaName}.${q.tableName} must be created or migrated, but ${(err as Error).message} — run \`dalga create-tables\` once as a PostgreSQL user with the CREATE privilege on the database or schema`,
      { cause: err },
    );
  }
}
