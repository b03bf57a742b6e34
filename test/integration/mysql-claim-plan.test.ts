import type mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mysqlQueries } from '../../src/store/mysql-queries.js';
import { openMysqlStore } from '../../src/store/mysql.js';
import { createTestDatabase, skipMysql, type TestDatabase } from '../support/mysql.js';

// The claim's SELECT … FOR UPDATE SKIP LOCKED must read the claim index in order and stop at its
// LIMIT: a plan that scans the table and sorts locks every due row it reads, so a second
// instance's claim finds them all locked and skips them, and each claim reads the whole table.
describe.skipIf(skipMysql())('MySQL claim plan with many due jobs', () => {
  let db: TestDatabase;
  const claimable = mysqlQueries('dalga').selectClaimable(true);
  const now = '2030-01-01 00:00:00.000';

  beforeAll(async () => {
    db = await createTestDatabase();
    const store = await openMysqlStore(db.options);
    await store.createTables();
    await store.close();
    await db.withAdmin(async (admin) => {
      const rows = Array.from({ length: 2000 }, (_, i) => ['p', String(i), 'P0D', '', '2020-01-01 00:00:00.000', '2020-01-01 00:00:00.000']);
      await admin.query('INSERT INTO dalga (path, body, `interval`, location, next_run, next_sched) VALUES ?', [rows]);
      await admin.query('ANALYZE TABLE dalga');
    });
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('reads the indexes, never the whole table, and does not sort', async () => {
    const plan = await db.withAdmin(async (admin) => (await admin.query(`EXPLAIN ${claimable}`, [10, now, 10]))[0] as Record<string, unknown>[]);
    for (const step of plan) {
      expect(step['type'], JSON.stringify(step)).not.toBe('ALL');
      expect(String(step['Extra']), JSON.stringify(step)).not.toMatch(/filesort/);
    }
    expect(plan.map((step) => step['key'])).toEqual(['run_now_idx', 'claim_idx']);
  });

  it('locks only the rows it takes: a second session claiming meanwhile gets others', async () => {
    const first = await db.admin();
    const second = await db.admin();
    try {
      await first.query('START TRANSACTION');
      const [a] = (await first.query(claimable, [10, now, 10])) as [{ id: number }[], unknown];
      await second.query('START TRANSACTION');
      const [b] = (await second.query(claimable, [10, now, 10])) as [{ id: number }[], unknown];
      expect(a).toHaveLength(10);
      expect(b).toHaveLength(10);
      const overlap = b.filter((row) => a.some((other) => other.id === row.id));
      expect(overlap).toEqual([]);
    } finally {
      await Promise.all([rollback(first), rollback(second)]);
    }
  });
});

async function rollback(conn: mysql.Connection): Promise<void> {
  await conn.query('ROLLBACK').catch(() => undefined);
  await conn.end();
}
