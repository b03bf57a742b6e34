// The benchmarks' own access to the daemon's tables, for what the API would make too slow:
// loading 100,000 due jobs or 1,000,000 future jobs before a daemon starts. Tables are created by
// `dalga create-tables` (the daemon's own schema), then filled with plain multi-row INSERTs.
// SQLite through better-sqlite3 (as the store does), MariaDB through mysql2, PostgreSQL through pg.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { createTables } from './daemon.js';

export const MYSQL = { host: '127.0.0.1', port: 3306, user: 'root', password: '' };
// One database per bench process, so that two runs at once (a colleague's quick run) cannot
// drop each other's tables; dropped at the end of the run.
export const MYSQL_DB = `dalga_bench_${process.pid}`;

export const POSTGRES = { host: '127.0.0.1', port: 5432, user: 'root', database: 'test' };
// One schema per bench process in the database `test`, for the same reason; dropped at the end.
export const POSTGRES_SCHEMA = `dalga_bench_${process.pid}`;

/** A connection to the database `test`, search_path on the bench schema. */
export async function postgresServer() {
  const client = new pg.Client({ ...POSTGRES, connectionTimeoutMillis: 5000 });
  await client.connect();
  return client;
}

export async function createBenchSchema() {
  const c = await postgresServer();
  try {
    await c.query(`CREATE SCHEMA IF NOT EXISTS "${POSTGRES_SCHEMA}"`);
  } finally {
    await c.end();
  }
}

export async function dropBenchSchema() {
  const c = await postgresServer();
  try {
    await c.query(`DROP SCHEMA IF EXISTS "${POSTGRES_SCHEMA}" CASCADE`);
  } finally {
    await c.end();
  }
}

const COLUMNS = ['path', 'body', 'interval', 'location', 'next_run', 'next_sched'];
const BATCH = 5000;

/** A server connection without a database: for CREATE/DROP DATABASE and versions. */
export function mysqlServer() {
  return mysql.createConnection({ ...MYSQL, connectTimeout: 5000 });
}

export async function createBenchDatabase() {
  const conn = await mysqlServer();
  try {
    await conn.query(`CREATE DATABASE IF NOT EXISTS \`${MYSQL_DB}\` CHARACTER SET utf8mb4`);
  } finally {
    await conn.end();
  }
}

export async function dropBenchDatabase() {
  const conn = await mysqlServer();
  try {
    await conn.query(`DROP DATABASE IF EXISTS \`${MYSQL_DB}\``);
  } finally {
    await conn.end();
  }
}

/**
 * A fresh, empty jobs table on `kind` ('sqlite' | 'mysql') named `table`, created by the daemon's
 * `create-tables`. Answers { kind, table, path|db } (what lib/daemon.js needs) plus insert/count/drop.
 * `row(i)` gives [path, body, interval, location, next_run ms | null, next_sched ms].
 */
export async function freshStore(kind, table, { create = true, bin } = {}) {
  if (kind === 'postgres') return freshPostgres(table, create, bin);
  return kind === 'mysql' ? freshMysql(table, create, bin) : freshSqlite(table, create, bin);
}

async function freshPostgres(table, create, bin) {
  const store = { kind: 'postgres', table, schema: POSTGRES_SCHEMA };
  const t = `"${POSTGRES_SCHEMA}"."${table}"`;
  const dropAll = async () => {
    const c = await postgresServer();
    try {
      await c.query(`DROP TABLE IF EXISTS ${t}, "${POSTGRES_SCHEMA}"."${table}_instances", "${POSTGRES_SCHEMA}"."${table}_migrations"`);
    } finally {
      await c.end();
    }
  };
  await dropAll();
  if (create) createTables(store, bin);
  return {
    ...store,
    async insert(from, count, row) {
      const c = await postgresServer();
      try {
        // Column arrays through unnest: one statement per batch, no parameter limit.
        for (let start = from; start < from + count; start += BATCH) {
          const end = Math.min(from + count, start + BATCH);
          const cols = [[], [], [], [], [], []];
          for (let i = start; i < end; i++) {
            const values = row(i);
            values.forEach((v, k) => cols[k].push(k >= 4 && v !== null ? new Date(v).toISOString() : v));
          }
          await c.query(
            `INSERT INTO ${t} (path, body, "interval", location, next_run, next_sched)
             SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[])`,
            cols,
          );
        }
        await c.query(`ANALYZE ${t}`);
      } finally {
        await c.end();
      }
    },
    async count() {
      const c = await postgresServer();
      try {
        const { rows } = await c.query(`SELECT COUNT(*)::int AS n FROM ${t}`);
        return rows[0].n;
      } finally {
        await c.end();
      }
    },
    drop: dropAll,
  };
}

/** Without `create`, the tables are left to the daemon (it creates them on start): saves a spawn. */
async function freshSqlite(table, create, bin) {
  const dir = mkdtempSync(join(tmpdir(), 'dalga-bench-'));
  const store = { kind: 'sqlite', table, path: join(dir, 'bench.sqlite') };
  if (create) createTables(store, bin);
  return {
    ...store,
    async insert(from, count, row) {
      const db = new Database(store.path);
      try {
        db.pragma('journal_mode = WAL');
        const stmt = db.prepare(
          `INSERT INTO "${table}" (path, body, "interval", location, next_run, next_sched) VALUES (?, ?, ?, ?, ?, ?)`,
        );
        db.transaction(() => {
          for (let i = from; i < from + count; i++) stmt.run(...row(i));
        })();
      } finally {
        db.close();
      }
    },
    async count() {
      const db = new Database(store.path, { readonly: true });
      try {
        return db.prepare(`SELECT COUNT(*) AS n FROM "${table}"`).get().n;
      } finally {
        db.close();
      }
    },
    async drop() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function freshMysql(table, create, bin) {
  const store = { kind: 'mysql', table, db: MYSQL_DB };
  const conn = await mysql.createConnection({ ...MYSQL, database: MYSQL_DB });
  try {
    await conn.query(`DROP TABLE IF EXISTS \`${table}\``);
    await conn.query(`DROP TABLE IF EXISTS \`${table}_instances\``);
    // The migration ledger too: left behind, it tells the next daemon the tables exist.
    await conn.query(`DROP TABLE IF EXISTS \`${table}_migrations\``);
  } finally {
    await conn.end();
  }
  if (create) createTables(store, bin);
  const timeValue = create ? await mysqlTimeEncoder(table) : () => {
    throw new Error('insert() needs a store made with create: true');
  };
  return {
    ...store,
    async insert(from, count, row) {
      const c = await mysql.createConnection({ ...MYSQL, database: MYSQL_DB });
      try {
        // A bulk load: the rows are known to be unique and to reference no instance.
        await c.query("SET unique_checks = 0, foreign_key_checks = 0, time_zone = '+00:00'");
        const cols = COLUMNS.map((n) => `\`${n}\``).join(', ');
        for (let start = from; start < from + count; start += BATCH) {
          const end = Math.min(from + count, start + BATCH);
          const values = [];
          for (let i = start; i < end; i++) {
            const [path, body, interval, location, nextRun, nextSched] = row(i);
            values.push([path, body, interval, location, nextRun === null ? null : timeValue(nextRun), timeValue(nextSched)]);
          }
          await c.query(`INSERT INTO \`${table}\` (${cols}) VALUES ?`, [values]);
        }
      } finally {
        await c.end();
      }
    },
    async count() {
      const c = await mysql.createConnection({ ...MYSQL, database: MYSQL_DB });
      try {
        const [rows] = await c.query(`SELECT COUNT(*) AS n FROM \`${table}\``);
        return Number(rows[0].n);
      } finally {
        await c.end();
      }
    },
    async drop() {
      const c = await mysql.createConnection({ ...MYSQL, database: MYSQL_DB });
      try {
        await c.query(`DROP TABLE IF EXISTS \`${table}\``);
        await c.query(`DROP TABLE IF EXISTS \`${table}_instances\``);
        await c.query(`DROP TABLE IF EXISTS \`${table}_migrations\``);
      } finally {
        await c.end();
      }
    },
  };
}

/**
 * How the MySQL store keeps instants: DATETIME(3) in UTC (as Go Dalga, with milliseconds) or an
 * integer of epoch ms. Read from information_schema so that the bench follows the store.
 */
async function mysqlTimeEncoder(table) {
  const c = await mysql.createConnection({ ...MYSQL, database: MYSQL_DB });
  try {
    const [rows] = await c.query(
      'SELECT DATA_TYPE AS t FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND COLUMN_NAME = ?',
      [MYSQL_DB, table, 'next_run'],
    );
    const type = String(rows[0]?.t ?? '').toLowerCase();
    if (type === 'datetime' || type === 'timestamp') return (ms) => new Date(ms).toISOString().slice(0, 23).replace('T', ' ');
    if (type.includes('int') || type === 'decimal') return (ms) => ms;
    throw new Error(`unexpected type ${JSON.stringify(type)} of ${table}.next_run`);
  } finally {
    await c.end();
  }
}
