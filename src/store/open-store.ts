// Picks the store the configuration asks for. The drivers are imported lazily, so client
// commands that never touch a database never load better-sqlite3, mysql2 or pg.
import { resolve } from 'node:path';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { Store } from './store.js';

export async function openStore(config: Config, log?: Logger): Promise<Store> {
  if (config.store === 'mysql') {
    const { openMysqlStore } = await import('./mysql.js');
    return openMysqlStore({ ...config.mysql, ...(log ? { log } : {}) });
  }
  if (config.store === 'postgres') {
    const { openPostgresStore } = await import('./postgres.js');
    return openPostgresStore({ ...config.postgres, notifyHorizonMs: config.jobs.scanFrequency, ...(log ? { log } : {}) });
  }
  const { openSqliteStore } = await import('./sqlite.js');
  return openSqliteStore({ path: config.sqlite.path, table: config.sqlite.table, exclusive: true, ...(log ? { log } : {}) });
}

/** Where the jobs live, for log lines and messages; never includes the password. */
export function describeStore(config: Config, _store?: Store): string {
  if (config.store === 'mysql') {
    const { user, host, port, db, table } = config.mysql;
    return `mysql://${user}@${host}:${port}/${db} table ${table}`;
  }
  if (config.store === 'postgres') {
    const { user, host, port, db, schema, table } = config.postgres;
    return `postgres://${user}@${host.includes(':') ? `[${host}]` : host}:${port}/${db} table ${schema}.${table}`;
  }
  const { path, table } = config.sqlite;
  const where = path === ':memory:' ? path : resolve(path);
  return `sqlite:${where}${table === 'dalga' ? '' : ` table ${table}`}`;
}
