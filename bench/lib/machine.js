// What the figures were measured on: they mean little without it.
import os from 'node:os';
import Database from 'better-sqlite3';
import { mysqlServer, postgresServer } from './store.js';

export async function describeMachine({ mysql, postgres = false }) {
  const cpus = os.cpus();
  const db = new Database(':memory:');
  const sqlite = db.prepare('SELECT sqlite_version() AS v').get().v;
  db.close();
  let mariadb = 'not used';
  if (mysql) {
    const conn = await mysqlServer();
    try {
      const [rows] = await conn.query('SELECT VERSION() AS v');
      mariadb = rows[0].v;
    } finally {
      await conn.end();
    }
  }
  let postgresql = 'not used';
  if (postgres) {
    const c = await postgresServer();
    try {
      postgresql = (await c.query('SHOW server_version')).rows[0].server_version;
    } finally {
      await c.end();
    }
  }
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    nproc: os.availableParallelism(),
    cpu: cpus[0]?.model ?? 'unknown',
    memoryGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    sqlite,
    mariadb,
    postgresql,
  };
}
