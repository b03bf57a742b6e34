// A unique schema per test file in the database `test` on the PostgreSQL server at
// 127.0.0.1:5432 (trust auth, user root). An unreachable server fails the tests with a clear
// message; only DALGA_TEST_POSTGRES=skip (and never under CI=true) skips them.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { DEFAULTS } from '../../src/config/schema.js';
import type { PostgresStoreOptions } from '../../src/store/postgres.js';

export const POSTGRES_HOST = process.env['DALGA_TEST_POSTGRES_HOST'] ?? '127.0.0.1';
export const POSTGRES_PORT = Number(process.env['DALGA_TEST_POSTGRES_PORT'] ?? 5432);
export const POSTGRES_USER = process.env['DALGA_TEST_POSTGRES_USER'] ?? 'root';
export const POSTGRES_DB = process.env['DALGA_TEST_POSTGRES_DB'] ?? 'test';

/** True when the PostgreSQL tests were explicitly switched off (refused under CI). */
export function skipPostgres(): boolean {
  if (process.env['DALGA_TEST_POSTGRES'] !== 'skip') return false;
  if (process.env['CI'] === 'true') throw new Error('DALGA_TEST_POSTGRES=skip is not allowed with CI=true: the PostgreSQL tests must run in CI');
  return true;
}

export interface TestSchema {
  /** Store options for this schema (table 'dalga'); spread and override as needed. */
  options: PostgresStoreOptions;
  /** Runs `fn` on a fresh admin connection (search_path = the schema) and closes it afterwards. */
  withAdmin<T>(fn: (admin: pg.Client) => Promise<T>): Promise<T>;
  /** Drop the schema (call after a passing run; a failed one keeps it for a look). */
  drop(): Promise<void>;
}

const root = (): pg.Client => new pg.Client({ host: POSTGRES_HOST, port: POSTGRES_PORT, user: POSTGRES_USER, database: POSTGRES_DB });

export async function createTestSchema(): Promise<TestSchema> {
  const schema = `dalga_t_${randomBytes(6).toString('hex')}`;
  const conn = root();
  await conn.connect().catch((err: unknown) => {
    throw new Error(
      `PostgreSQL is not reachable at ${POSTGRES_HOST}:${POSTGRES_PORT} as ${POSTGRES_USER}, database ${POSTGRES_DB} (${(err as { code?: string }).code ?? String(err)}): ` +
        'start it (pg_ctlcluster 15 main start) or set DALGA_TEST_POSTGRES=skip to skip these tests locally',
    );
  });
  try {
    await conn.query(`CREATE SCHEMA "${schema}"`);
  } finally {
    await conn.end();
  }
  return {
    options: {
      ...DEFAULTS.postgres,
      host: POSTGRES_HOST,
      port: POSTGRES_PORT,
      user: POSTGRES_USER,
      password: '',
      db: POSTGRES_DB,
      schema,
      table: 'dalga',
      maxOpenConns: 10,
    },
    withAdmin: async (fn) => {
      const conn = root();
      await conn.connect();
      try {
        await conn.query(`SET search_path TO "${schema}"`);
        return await fn(conn);
      } finally {
        await conn.end();
      }
    },
    drop: async () => {
      const conn = root();
      await conn.connect();
      try {
        await conn.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await conn.end();
      }
    },
  };
}
