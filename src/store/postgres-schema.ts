// createTables for PostgreSQL: the schema, the instances and jobs tables and their indexes,
// created in one transaction (DDL is transactional here) under an advisory lock, so instances
// starting together do not race. When everything is there it only reads the catalog: a user
// without CREATE privileges can serve tables someone else created.
import type { PoolClient } from 'pg';
import { StoreUnavailableError } from '../errors.js';
import type { Logger } from '../log.js';
import type { PostgresQueries } from './postgres-queries.js';

interface Existing {
  has_schema: boolean;
  has_jobs: boolean;
  has_instances: boolean;
}

/** SQLSTATE 42501 insufficient_privilege. */
const INSUFFICIENT_PRIVILEGE = '42501';

export async function createPostgresTables(client: PoolClient, q: PostgresQueries, log?: Logger): Promise<void> {
  const existing = async (): Promise<Existing> =>
    (await client.query<Existing>(q.existing, [q.schemaName, q.tableName, q.instancesName])).rows[0]!;
  const before = await existing();
  if (before.has_schema && before.has_jobs && before.has_instances) return;
  await client.query(q.begin);
  try {
    await client.query(q.lock, [q.lockKey]);
    const now = await existing();
    if (!now.has_schema) await ddl(client, q, q.createSchema);
    if (!now.has_instances) await ddl(client, q, q.createInstances);
    if (!now.has_jobs) {
      await ddl(client, q, q.createJobs);
      for (const sql of q.createIndexes) await ddl(client, q, sql);
      log?.info({ table: `${q.schemaName}.${q.tableName}` }, 'created the PostgreSQL tables');
    }
    await client.query(q.commit);
  } catch (err) {
    await client.query(q.rollback).catch(() => undefined);
    throw err;
  }
}

/** DDL the user may lack the privileges for: say which, and how to get past it. */
async function ddl(client: PoolClient, q: PostgresQueries, sql: string): Promise<void> {
  try {
    await client.query(sql);
  } catch (err) {
    if ((err as { code?: unknown }).code !== INSUFFICIENT_PRIVILEGE) throw err;
    throw new StoreUnavailableError(
      `table ${q.schemaName}.${q.tableName} must be created, but ${(err as Error).message} — run \`dalga create-tables\` once as a PostgreSQL user with the CREATE privilege on the database or schema`,
      { cause: err },
    );
  }
}
