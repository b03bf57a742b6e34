import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULTS, type Config } from '../../../src/config/schema.js';
import { describeStore, openStore } from '../../../src/store/open-store.js';

const config = (patch: Partial<Config>): Config => ({ ...DEFAULTS, ...patch });

describe('openStore', () => {
  it('opens the SQLite store by default', async () => {
    const store = await openStore(config({ sqlite: { path: ':memory:', table: 'dalga' } }));
    expect(store.kind).toBe('sqlite');
    await store.createTables();
    expect(await store.listJobs({ order: 'insert-order', reverse: false, limit: 1 })).toEqual([]);
    await store.close();
  });

  it('refuses a bad table name with the config key', async () => {
    await expect(openStore(config({ sqlite: { path: ':memory:', table: 'a-b' } }))).rejects.toThrow(/invalid config sqlite\.table/);
    await expect(openStore(config({ store: 'mysql', mysql: { ...DEFAULTS.mysql, table: 'a b' } }))).rejects.toThrow(/invalid config mysql\.table/);
    await expect(openStore(config({ store: 'postgres', postgres: { ...DEFAULTS.postgres, table: 'a"b' } }))).rejects.toThrow(/invalid config postgres\.table/);
  });
});

describe('describeStore', () => {
  it('names the SQLite file by its absolute path', () => {
    expect(describeStore(config({ sqlite: { path: 'dalga.sqlite', table: 'dalga' } }))).toBe(`sqlite:${resolve('dalga.sqlite')}`);
    expect(describeStore(config({ sqlite: { path: '/var/lib/d.db', table: 'jobs' } }))).toBe('sqlite:/var/lib/d.db table jobs');
  });

  it('names the MySQL server, database and table, never the password', () => {
    const text = describeStore(config({ store: 'mysql', mysql: { ...DEFAULTS.mysql, password: 'sekret', db: 'test', table: 'dalga' } }));
    expect(text).toBe('mysql://root@127.0.0.1:3306/test table dalga');
    expect(text).not.toMatch(/sekret/);
  });

  it('names the PostgreSQL server, database, schema and table, never the password', () => {
    const postgres = { ...DEFAULTS.postgres, password: 'sekret', url: 'postgres://root:sekret@127.0.0.1/test', user: 'root', db: 'test' };
    const text = describeStore(config({ store: 'postgres', postgres }));
    expect(text).toBe('postgres://root@127.0.0.1:5432/test table public.dalga');
    expect(describeStore(config({ store: 'postgres', postgres: { ...postgres, host: '::1' } }))).toBe('postgres://root@[::1]:5432/test table public.dalga');
  });
});
