import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqliteQueries } from '../../src/store/sqlite-queries.js';
import { openSqliteStore } from '../../src/store/sqlite.js';

// Every claim asks for run-now jobs first: that must read the run_now index, not every waiting job.
// (The daemon never runs ANALYZE: the planner works without statistics, as here.)
describe('SQLite query plans with many waiting jobs', () => {
  let dir: string;
  let db: Database.Database;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dalga-plans-'));
    const path = join(dir, 'plans.sqlite');
    const store = await openSqliteStore({ path, table: 'dalga' });
    await store.createTables();
    await store.close();
    db = new Database(path);
    const insert = db.prepare('INSERT INTO dalga (path, body, "interval", location, next_run, next_sched) VALUES (?, ?, ?, ?, ?, ?)');
    db.transaction(() => {
      for (let i = 0; i < 2000; i++) insert.run('p', String(i), 'P0D', '', 1000 + i, 1000 + i);
    })();
  });

  afterAll(() => {
    db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the claim of due jobs (one UPDATE … RETURNING) searches the claim index, not the table', () => {
    const plan = db.prepare(`EXPLAIN QUERY PLAN ${sqliteQueries('dalga').claimDue}`).all(1, 7, 10_000, 100) as { detail: string }[];
    const details = plan.map((row) => row.detail).join('; ');
    expect(details).toMatch(/USING (COVERING )?INDEX dalga_claim \(instance_id=\? AND next_run<\?\)/);
    expect(details).not.toMatch(/SCAN dalga|TEMP B-TREE/);
  });

  it('the run-now claim searches the run_now index', () => {
    const plan = db.prepare(`EXPLAIN QUERY PLAN ${sqliteQueries('dalga').selectRunNow}`).all(100) as { detail: string }[];
    expect(plan.map((row) => row.detail).join('; ')).toMatch(/USING INDEX dalga_run_now/);
  });
});
