// The SQLite schema is a numbered migration list with a ledger: a fresh file, a file made before
// the ledger and a file migrated by a newer dalga are each handled, also by two processes at once.
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { SQLITE_MIGRATIONS } from '../../src/store/sqlite-migrations.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { schemaStatements } from '../support/schema-fixtures.js';
import { createTempDir } from '../support/temp-sqlite.js';

const temp = createTempDir();
afterAll(() => temp.remove());
const LATEST = SQLITE_MIGRATIONS.length;
const BIN = join(resolve(import.meta.dirname, '../..'), 'bin/dalga');

function ledger(path: string, table = 'dalga'): number[] {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare(`SELECT version FROM "${table}_migrations" ORDER BY version`).all() as { version: number }[]).map((r) => r.version);
  } finally {
    db.close();
  }
}

const allVersions = Array.from({ length: LATEST }, (_, i) => i + 1);

describe('SQLite migrations', () => {
  it('a fresh file gets every migration, recorded once; a second run changes nothing', async () => {
    const path = temp.file();
    const store = await openSqliteStore({ path, table: 'dalga' });
    await store.createTables();
    await store.createTables();
    await store.close();
    expect(ledger(path)).toEqual(allVersions);
  });

  it('upgrades a file made before the ledger (dalga 0.1) and keeps its jobs', async () => {
    const path = temp.file();
    const db = new Database(path);
    for (const sql of schemaStatements('dalga-0.1.sqlite', 'dalga')) db.exec(sql);
    db.exec(`INSERT INTO dalga_instances VALUES (7, 1000)`);
    db.exec(`INSERT INTO dalga (path, body, "interval", location, next_run, next_sched, instance_id, last_run, last_status, failures)
             VALUES ('a', '1', 'PT1M', '', 5000, 5000, 7, 10, '500', 2), ('b', '2', 'P1D', 'Europe/Istanbul', NULL, 9000, NULL, NULL, NULL, 0)`);
    db.close();

    const store = await openSqliteStore({ path, table: 'dalga' });
    await store.createTables();
    expect(ledger(path)).toEqual(allVersions);
    expect(await store.getJob({ path: 'a', body: '1' })).toMatchObject({ interval: 'PT1M', nextRun: 5000, instanceId: 7, lastStatus: '500', failures: 2 });
    expect(await store.getJob({ path: 'b', body: '2' })).toMatchObject({ location: 'Europe/Istanbul', nextRun: null, nextSched: 9000 });
    // The upgraded table works: the job of the gone instance is released, then claimed.
    expect(await store.expireInstances(100_000, 1000)).toBe(1);
    await store.heartbeat(8, 100_000);
    expect((await store.claimDue(8, 6000, 10)).map((j) => j.path)).toEqual(['a']);
    await store.close();
  });

  it('refuses a file migrated by a newer dalga, in one line naming the versions', async () => {
    const path = temp.file();
    const store = await openSqliteStore({ path, table: 'dalga' });
    await store.createTables();
    const db = new Database(path);
    db.prepare(`INSERT INTO dalga_migrations (version, name, applied_at) VALUES (?, 'from the future', 0)`).run(LATEST + 1);
    db.close();
    const err = await store.createTables().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(new RegExp(`table dalga in sqlite:.* was migrated by a newer dalga \\(schema version ${LATEST + 1}; this build knows up to ${LATEST}\\)`));
    expect((err as Error).message).not.toContain('\n');
    await store.close();

    // The command line says it in one line with the configuration exit status, no stack.
    for (const args of [['create-tables'], ['serve', '--listen-port', '0']]) {
      const command = args[0];
      const r = spawnSync(process.execPath, [BIN, ...args], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', HOME: temp.dir, DALGA_SQLITE_PATH: path },
        timeout: 20_000,
      });
      expect(r.status, `${command}: ${r.stderr}`).toBe(3);
      expect(r.stderr).toMatch(/was migrated by a newer dalga/);
      expect(r.stderr).not.toMatch(/^\s+at /m);
    }
  });

  it('two processes migrating one file at once run each migration once', async () => {
    const path = temp.file();
    const stores = await Promise.all([1, 2, 3].map(() => openSqliteStore({ path, table: 'dalga' })));
    await Promise.all(stores.map((s) => s.createTables()));
    for (const s of stores) await s.close();
    expect(ledger(path)).toEqual(allVersions);
  });

  it('the ledger belongs to the table: two tables in one file migrate apart', async () => {
    const path = temp.file();
    const a = await openSqliteStore({ path, table: 'a' });
    const b = await openSqliteStore({ path, table: 'b' });
    await a.createTables();
    await b.createTables();
    await a.close();
    await b.close();
    expect(ledger(path, 'a')).toEqual(allVersions);
    expect(ledger(path, 'b')).toEqual(allVersions);
  });
});
