// Picks the store the configuration asks for. The drivers are imported lazily, so client
// commands that never touch a database never load better-sqlite3 or mysql2.
import { resolve } from 'node:path';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { Store } from './store.js';

export async function openStore(config: Config, log?: Logger): Promise<Store> {
  if (config.store === 'mysql') {
    const { openMysqlStore } = await import('./mysql.js');
    return openMysqlStore({ ...config.mysql, ...(log ? { log } : {}) });
  }
  const { openSqliteStore } = await import('./sqlite.js');
  return openSqliteStore({ path: config.sqlite.path, table: config.sqlite.table, ...(log ? { log } : {}) });
}

/** Where the jobs live, for log lines and messages; never includes the password. */
export function describeStore(config: Config, _store?: Store): string {
  if (config.store === 'mysql') {
    const { user, host, port, db, table } = config.mysql;
    return `mysql://${user}@${host}:${port}/${db} table ${table}`;
  }
  const { path, table } = config.sqlite;
  const where = path === ':memory:' ? path : resolve(path);
  return `sqlite:${where}${table === 'dalga' ? '' : ` table ${table}`}`;
}
