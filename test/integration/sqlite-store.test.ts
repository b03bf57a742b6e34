import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, StoreUnavailableError } from '../../src/errors.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/store.js';
import { describeStoreContract } from '../contract/store-contract.js';
import { createTempDir } from '../support/temp-sqlite.js';

const temp = createTempDir();
afterAll(() => temp.remove());

// Each store gets its own file, so a peer can open the same file as a second process would.
const files = new WeakMap<Store, string>();

async function makeStore(): Promise<Store> {
  const path = temp.file();
  const store = await openSqliteStore({ path, table: 'dalga' });
  await store.createTables();
  files.set(store, path);
  return store;
}

async function openPeer(store: Store): Promise<Store> {
  return openSqliteStore({ path: files.get(store)!, table: 'dalga' });
}

describeStoreContract('sqlite', makeStore, openPeer);

describe('SQLite store', () => {
  it('works in memory', async () => {
    const store = await openSqliteStore({ path: ':memory:', table: 'jobs' });
    await store.createTables();
    await store.putJob({ path: 'p', body: 'b', interval: 'PT1S', location: '', nextRun: 5, nextSched: 5 });
    expect((await store.getJob({ path: 'p', body: 'b' }))?.nextRun).toBe(5);
    await store.close();
  });

  it('keeps the database in WAL mode', async () => {
    const path = temp.file();
    const store = await openSqliteStore({ path, table: 'dalga' });
    await store.createTables();
    const db = new Database(path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    await store.close();
  });

  it('creates the claim and listing indexes and uses them', async () => {
    const path = temp.file();
    const store = await openSqliteStore({ path, table: 'dalga' });
    await store.createTables();
    await store.close();
    const db = new Database(path, { readonly: true });
    const plan = (sql: string): string =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join('; ');
    expect(plan('SELECT * FROM dalga WHERE instance_id IS NULL AND next_run <= 1 ORDER BY next_run LIMIT 10')).toMatch(/USING INDEX dalga_claim/);
    const cols = 'id, next_sched';
    expect(plan(`SELECT ${cols} FROM dalga WHERE next_sched IS NOT NULL AND (next_sched > 1 OR (next_sched = 1 AND id > 2)) ORDER BY next_sched, id LIMIT 10`)).not.toMatch(/TEMP B-TREE/);
    expect(plan(`SELECT ${cols} FROM dalga WHERE next_run IS NULL AND id < 5 ORDER BY id DESC LIMIT 10`)).not.toMatch(/TEMP B-TREE/);
    expect(plan(`SELECT ${cols} FROM dalga WHERE path = 'p' AND id > 5 ORDER BY id LIMIT 10`)).not.toMatch(/TEMP B-TREE/);
    const fk = db.prepare("SELECT * FROM pragma_foreign_key_list('dalga')").all() as { table: string; on_delete: string }[];
    expect(fk).toEqual([expect.objectContaining({ table: 'dalga_instances', on_delete: 'SET NULL' })]);
    db.close();
  });

  it('refuses a table name that is not an identifier', async () => {
    await expect(openSqliteStore({ path: ':memory:', table: 'x; DROP TABLE y' })).rejects.toThrow(ConfigError);
    await expect(openSqliteStore({ path: ':memory:', table: '1abc' })).rejects.toThrow(/sqlite\.table/);
  });

  it('says the store is unavailable when the file cannot be opened or the store is closed', async () => {
    await expect(openSqliteStore({ path: '/nonexistent-dir/x/dalga.sqlite', table: 'dalga' })).rejects.toThrow(StoreUnavailableError);
    const store = await openSqliteStore({ path: ':memory:', table: 'dalga' });
    await store.createTables();
    await store.close();
    await expect(store.getJob({ path: 'p', body: 'b' })).rejects.toThrow(StoreUnavailableError);
  });
});
