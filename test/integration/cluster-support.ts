// Helpers for the multi-instance tests on the real MariaDB: a Config for an in-process daemon,
// bulk job inserts, and reads of the shared table.
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { DEFAULTS, type Config } from '../../src/config/schema.js';
import type { TestDatabase } from '../support/mysql.js';

export interface ClusterConfigOptions {
  endpoint: string;
  maxRunning?: number;
  instanceTimeoutMs?: number;
  shutdownTimeoutMs?: number;
  maxOpenConns?: number;
  port?: number;
}

/** A daemon Config on the test database, on a free loopback port. */
export function clusterConfig(db: TestDatabase, o: ClusterConfigOptions): Config {
  return {
    ...DEFAULTS,
    store: 'mysql',
    jobs: { ...DEFAULTS.jobs, maxRunning: o.maxRunning ?? DEFAULTS.jobs.maxRunning },
    mysql: {
      ...db.options,
      ...(o.port === undefined ? {} : { port: o.port }),
      maxOpenConns: o.maxOpenConns ?? 5,
      instanceTimeout: o.instanceTimeoutMs ?? DEFAULTS.mysql.instanceTimeout,
    },
    listen: { ...DEFAULTS.listen, port: 0, shutdownTimeout: o.shutdownTimeoutMs ?? DEFAULTS.listen.shutdownTimeout },
    endpoint: { ...DEFAULTS.endpoint, baseurl: o.endpoint },
  };
}

/** The child-process environment for the same database (`bin/dalga serve`). */
export function clusterEnv(db: TestDatabase, extra: Record<string, string>): Record<string, string> {
  return {
    DALGA_STORE: 'mysql',
    DALGA_MYSQL_HOST: db.options.host,
    DALGA_MYSQL_PORT: String(db.options.port),
    DALGA_MYSQL_USER: db.options.user,
    DALGA_MYSQL_DB: db.options.db,
    DALGA_MYSQL_TABLE: db.options.table,
    DALGA_MYSQL_MAXOPENCONNS: '5',
    ...extra,
  };
}

/** Inserts one-off jobs `path`/`0..count-1` in one statement, all due one second ago (server clock). */
export async function insertDueJobs(conn: Connection, table: string, path: string, count: number): Promise<void> {
  const row = "(?, ?, 'P0D', '', UTC_TIMESTAMP(3) - INTERVAL 1 SECOND, UTC_TIMESTAMP(3) - INTERVAL 1 SECOND)";
  await conn.query(
    `INSERT INTO \`${table}\` (path, body, \`interval\`, location, next_run, next_sched) VALUES ${Array(count).fill(row).join(', ')}`,
    Array.from({ length: count }, (_, i) => [path, String(i)]).flat(),
  );
}

export async function countJobs(conn: Connection, table: string): Promise<number> {
  const [[row]] = await conn.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM \`${table}\``);
  return Number(row!['n']);
}

export async function instanceIds(conn: Connection, table: string): Promise<number[]> {
  const [rows] = await conn.query<RowDataPacket[]>(`SELECT id FROM \`${table}_instances\` ORDER BY id`);
  return rows.map((r) => Number(r['id']));
}

/** `path/body` of every POST, to count deliveries per job. */
export function deliveryCounts(posts: readonly { url: string; body: string }[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const p of posts) counts.set(`${p.url}/${p.body}`, (counts.get(`${p.url}/${p.body}`) ?? 0) + 1);
  return counts;
}
