// A unique MariaDB database per test file, on the server at 127.0.0.1:3306 (root, no password).
// An unreachable server fails the tests with a clear message; only DALGA_TEST_MYSQL=skip (and
// never under CI=true) skips them.
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import { DEFAULTS } from '../../src/config/schema.js';
import type { MysqlStoreOptions } from '../../src/store/mysql.js';

export const MYSQL_HOST = process.env['DALGA_TEST_MYSQL_HOST'] ?? '127.0.0.1';
export const MYSQL_PORT = Number(process.env['DALGA_TEST_MYSQL_PORT'] ?? 3306);

/** True when the MySQL tests were explicitly switched off (refused under CI). */
export function skipMysql(): boolean {
  if (process.env['DALGA_TEST_MYSQL'] !== 'skip') return false;
  if (process.env['CI'] === 'true') throw new Error('DALGA_TEST_MYSQL=skip is not allowed with CI=true: the MySQL tests must run in CI');
  return true;
}

export interface TestDatabase {
  /** Store options for this database (table 'dalga'); spread and override as needed. */
  options: MysqlStoreOptions;
  /** An admin connection to the database, for DDL and checks. */
  admin(): Promise<mysql.Connection>;
  /** Runs `fn` on a fresh admin connection and closes it afterwards. */
  withAdmin<T>(fn: (admin: mysql.Connection) => Promise<T>): Promise<T>;
  /** Drop the database (call after a passing run; a failed one keeps it for a look). */
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const db = `dalga_t_${randomBytes(6).toString('hex')}`;
  const root = { host: MYSQL_HOST, port: MYSQL_PORT, user: 'root', password: '' };
  const conn = await mysql.createConnection(root).catch((err: unknown) => {
    throw new Error(
      `MariaDB/MySQL is not reachable at ${MYSQL_HOST}:${MYSQL_PORT} as root (${(err as { code?: string }).code ?? String(err)}): ` +
        'start it (start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd) or set DALGA_TEST_MYSQL=skip to skip these tests locally',
    );
  });
  try {
    await conn.query(`CREATE DATABASE \`${db}\` CHARACTER SET utf8mb4`);
  } finally {
    await conn.end();
  }
  const admin = (): Promise<mysql.Connection> => mysql.createConnection({ ...root, database: db, timezone: 'Z', dateStrings: true });
  return {
    options: { ...DEFAULTS.mysql, host: MYSQL_HOST, port: MYSQL_PORT, user: 'root', password: '', db, table: 'dalga', maxOpenConns: 10 },
    admin,
    withAdmin: async (fn) => {
      const conn = await admin();
      try {
        return await fn(conn);
      } finally {
        await conn.end();
      }
    },
    drop: async () => {
      const c = await mysql.createConnection(root);
      try {
        await c.query(`DROP DATABASE IF EXISTS \`${db}\``);
      } finally {
        await c.end();
      }
    },
  };
}
