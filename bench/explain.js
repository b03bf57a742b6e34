// `node bench/explain.js [--rows 1000000] [--store sqlite|mysql|postgres|both|all]`: loads a table like the
// scale benchmark (rows in the future, plus 100 due), then shows how each store runs the hot
// queries, with the daemon's own SQL text (imported from dist/store/*-queries.js):
// MariaDB: EXPLAIN and ANALYZE (rows read per step, time); SQLite: EXPLAIN QUERY PLAN and time;
// PostgreSQL: EXPLAIN (ANALYZE, BUFFERS) inside a rolled-back transaction (the claim writes).
// Uses database `dalga_bench_<pid>`, schema `dalga_bench_<pid>` in PostgreSQL's `test` (both
// dropped at the end) and a temporary SQLite file.
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import { mysqlQueries } from '../dist/store/mysql-queries.js';
import { postgresQueries } from '../dist/store/postgres-queries.js';
import { sqliteQueries } from '../dist/store/sqlite-queries.js';
import { createBenchDatabase, createBenchSchema, dropBenchDatabase, dropBenchSchema, freshStore, MYSQL, MYSQL_DB, POSTGRES_SCHEMA, postgresServer } from './lib/store.js';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '1000000' }, store: { type: 'string', default: 'both' } } });
const rows = Number(values.rows);
const kinds = values.store === 'all' ? ['sqlite', 'mysql', 'postgres'] : values.store === 'both' ? ['sqlite', 'mysql'] : [values.store];

/** The statements the daemon runs all the time or on every listing, with their parameters. */
function statements(q, now, toTime, skipLocked) {
  const page = q.list({ column: 'next_run', disabledOnly: false, descending: false, hasAfter: false }, false);
  return [
    // MySQL: run-now requests and due jobs in one UNION ALL; SQLite: the due jobs' SELECT (its
    // claim is the same search inside an UPDATE … RETURNING).
    typeof q.selectClaimable === 'function'
      ? ['claim: select run-now and due', q.selectClaimable(skipLocked), [100, toTime(now), 100]]
      : ['claim: select due', q.selectDue, [toTime(now), 100]],
    ['next due', q.nextDueAt, []],
    // Not the daemon's: the same question without `next_run IS NOT NULL` (MIN skips NULLs
    // anyway), for comparison — MariaDB then answers from the index's first entry.
    ['next due, candidate rewrite', q.nextDueAt.replace(/ AND next_run IS NOT NULL/, ''), []],
    ['first page, next-run', page, [100]],
    ['status', q.status, [1, toTime(now), toTime(now)]],
  ];
}

async function explainMysql(now) {
  const store = await freshStore('mysql', 'explain');
  await load(store, now);
  const conn = await mysql.createConnection({ ...MYSQL, database: MYSQL_DB, timezone: 'Z', dateStrings: true });
  try {
    await conn.query('ANALYZE TABLE `explain`');
    const toTime = (ms) => new Date(ms).toISOString().slice(0, 23).replace('T', ' ');
    for (const [name, sql, params] of statements(mysqlQueries('explain'), now, toTime, true)) {
      console.log(`\n== MariaDB, ${rows.toLocaleString('en')} rows: ${name}\n${sql.trim().replace(/\s+/g, ' ')}`);
      const [plan] = await conn.query(`EXPLAIN ${sql}`, params);
      console.table(plan.map((r) => ({ table: r.table, type: r.type, key: r.key, rows: r.rows, Extra: r.Extra })));
      await conn.query('BEGIN');
      const started = performance.now();
      const [analyzed] = await conn.query(`ANALYZE ${sql}`, params);
      const ms = performance.now() - started;
      await conn.query('ROLLBACK');
      console.table(analyzed.map((r) => ({ table: r.table, type: r.type, key: r.key, rows: r.rows, r_rows: r.r_rows, r_filtered: r.r_filtered })));
      console.log(`took ${ms.toFixed(2)} ms`);
    }
  } finally {
    await conn.end();
    await store.drop();
  }
}

/** PostgreSQL's own statements: the one-statement claim (with its parameters) instead of selectDue. */
function postgresStatements(q, now) {
  const at = new Date(now).toISOString();
  const page = q.list({ column: 'next_run', disabledOnly: false, descending: false, hasAfter: false }, false);
  return [
    ['claim (select due, lock, mark)', q.claim, [at, 100, 1, 1]],
    ['next due', q.nextDueAt, []],
    ['first page, next-run', page, [100]],
    ['status', q.status, [1, at, at]],
  ];
}

async function explainPostgres(now) {
  const store = await freshStore('postgres', 'explain');
  await load(store, now);
  const c = await postgresServer();
  try {
    await c.query(`INSERT INTO "${POSTGRES_SCHEMA}".explain_instances VALUES (1, now())`);
    for (const [name, sql, params] of postgresStatements(postgresQueries(POSTGRES_SCHEMA, 'explain'), now)) {
      console.log(`\n== PostgreSQL, ${rows.toLocaleString('en')} rows: ${name}\n${sql.trim().replace(/\s+/g, ' ')}`);
      await c.query('BEGIN');
      const started = performance.now();
      const { rows: plan } = await c.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params);
      const ms = performance.now() - started;
      await c.query('ROLLBACK');
      for (const r of plan) console.log(`  ${r['QUERY PLAN']}`);
      console.log(`took ${ms.toFixed(2)} ms`);
    }
  } finally {
    await c.end();
    await store.drop();
  }
}

async function explainSqlite(now) {
  const store = await freshStore('sqlite', 'dalga');
  await load(store, now);
  const db = new Database(store.path);
  try {
    db.exec('ANALYZE');
    for (const [name, sql, params] of statements(sqliteQueries('dalga'), now, (ms) => ms, false)) {
      console.log(`\n== SQLite, ${rows.toLocaleString('en')} rows: ${name}\n${sql.trim().replace(/\s+/g, ' ')}`);
      for (const step of db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params)) console.log(`  ${step.detail}`);
      const stmt = db.prepare(sql);
      stmt.all(...params);
      const started = performance.now();
      stmt.all(...params);
      console.log(`took ${(performance.now() - started).toFixed(2)} ms`);
    }
  } finally {
    db.close();
    await store.drop();
  }
}

async function load(store, now) {
  const started = Date.now();
  await store.insert(0, rows, (i) => ['scale', String(i), 'P1D', '', now + 3_600_000 + i * 100, now + 3_600_000 + i * 100]);
  await store.insert(rows, 100, (i) => ['due', String(i), 'P0D', '', now - 1000, now - 1000]);
  console.log(`loaded ${store.kind} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

const now = Date.now();
if (kinds.includes('sqlite')) await explainSqlite(now);
if (kinds.includes('postgres')) {
  await createBenchSchema();
  try {
    await explainPostgres(now);
  } finally {
    await dropBenchSchema();
  }
}
if (kinds.includes('mysql')) {
  await createBenchDatabase();
  try {
    await explainMysql(now);
  } finally {
    await dropBenchDatabase();
  }
}
