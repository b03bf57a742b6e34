// Helpers for the multi-instance tests on the real PostgreSQL: the `bin/dalga serve`
// environment for a test schema, bulk job inserts, and reads of the shared table.
import type pg from 'pg';
import type { TestSchema } from '../support/postgres.js';

/** The child-process environment for the schema's table. */
export function postgresEnv(schema: TestSchema, extra: Record<string, string>): Record<string, string> {
  const o = schema.options;
  return {
    DALGA_STORE: 'postgres',
    DALGA_POSTGRES_HOST: o.host,
    DALGA_POSTGRES_PORT: String(o.port),
    DALGA_POSTGRES_USER: o.user,
    DALGA_POSTGRES_DB: o.db,
    DALGA_POSTGRES_SCHEMA: o.schema,
    DALGA_POSTGRES_TABLE: o.table,
    DALGA_POSTGRES_MAXOPENCONNS: '5',
    ...extra,
  };
}

/** Inserts one-off jobs `path`/`0..count-1` in one statement, all due one second ago (server clock). */
export async function insertDueJobs(admin: pg.Client, table: string, path: string, count: number): Promise<void> {
  await admin.query(
    `INSERT INTO "${table}" (path, body, "interval", location, next_run, next_sched)
     SELECT $1, i::text, 'P0D', '', clock_timestamp() - interval '1 s', clock_timestamp() - interval '1 s'
     FROM generate_series(0, $2::int - 1) AS i`,
    [path, count],
  );
}

export async function countJobs(admin: pg.Client, table: string): Promise<number> {
  const { rows } = await admin.query(`SELECT COUNT(*)::int AS n FROM "${table}"`);
  return rows[0].n as number;
}

export async function instanceIds(admin: pg.Client, table: string): Promise<number[]> {
  const { rows } = await admin.query(`SELECT id FROM "${table}_instances" ORDER BY id`);
  return rows.map((r: { id: string }) => Number(r.id));
}

/** Sessions listening on the table's notification channel (LISTEN is their last statement). */
export async function listeners(admin: pg.Client, channel: string): Promise<number> {
  const { rows } = await admin.query(`SELECT COUNT(*)::int AS n FROM pg_stat_activity WHERE query = $1`, [`LISTEN "${channel}"`]);
  return rows[0].n as number;
}
