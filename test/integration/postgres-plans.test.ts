import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresQueries } from '../../src/store/postgres-queries.js';
import { openPostgresStore } from '../../src/store/postgres.js';
import type { Store } from '../../src/store/store.js';
import { createTestSchema, skipPostgres, type TestSchema } from '../support/postgres.js';

// The claim and the outcomes of a batch must find their rows by id. Planned as joins, both went
// wrong on a table of tens of thousands of jobs: the claim hashed the whole table (a sequential
// scan per claim), and the outcomes joined on instance_id — the same value in every row of the
// batch — comparing every outcome with every claimed row (65,280 rows filtered for 256).
const ROWS = 20_000;
const BATCH = 256;

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Rows Removed by Join Filter'?: number;
  Plans?: PlanNode[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

describe.skipIf(skipPostgres())('PostgreSQL plans of the claim and the outcomes', () => {
  let schema: TestSchema;
  let store: Store;
  const q = (): ReturnType<typeof postgresQueries> => postgresQueries(schema.options.schema, 'dalga');
  const now = '2030-01-01T00:00:00.000Z';

  /** The statement's executed plan; the transaction is rolled back, so nothing changes. */
  async function executedPlan(sql: string, params: unknown[]): Promise<PlanNode[]> {
    return schema.withAdmin(async (admin: pg.Client) => {
      await admin.query('BEGIN');
      try {
        const { rows } = await admin.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, params);
        return nodes(rows[0]!['QUERY PLAN'][0].Plan);
      } finally {
        await admin.query('ROLLBACK');
      }
    });
  }

  beforeAll(async () => {
    schema = await createTestSchema();
    store = await openPostgresStore(schema.options);
    await store.createTables();
    await schema.withAdmin(async (admin) => {
      await admin.query(
        `INSERT INTO dalga (path, body, "interval", location, next_run, next_sched)
         SELECT 'p', g::text, 'PT1M', '', '2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z' FROM generate_series(1, $1) AS g`,
        [ROWS],
      );
      await admin.query('ANALYZE dalga');
    });
    await store.heartbeat(1, Date.parse(now));
  });

  afterAll(async () => {
    await store?.close();
    await schema?.drop();
  });

  it('the claim reads the rows it takes by id, never the whole table', async () => {
    const plan = await executedPlan(q().claim, [now, BATCH, 1, 42]);
    const scans = plan.filter((n) => n['Node Type'] === 'Seq Scan' && n['Relation Name'] === 'dalga');
    expect(scans, JSON.stringify(plan.map((n) => n['Node Type']))).toEqual([]);
  });

  it("a batch's outcomes find their rows by id: no whole-table scan, no outcome compared with every claimed row", async () => {
    const claimed = await store.claimDue(1, Date.parse(now), BATCH);
    expect(claimed).toHaveLength(BATCH);
    const at = (ms: number): string => new Date(ms).toISOString();
    const params = [
      [],
      [],
      claimed.map((j) => j.id),
      claimed.map(() => 1),
      claimed.map(() => at(Date.parse(now) + 60_000)),
      claimed.map(() => at(Date.parse(now) + 60_000)),
      claimed.map(() => now),
      claimed.map(() => '200'),
      claimed.map(() => 0),
      [],
      claimed.map((j) => j.claimToken),
    ];
    const plan = await executedPlan(q().recordOutcomes, params);
    const scans = plan.filter((n) => n['Node Type'] === 'Seq Scan' && n['Relation Name'] === 'dalga');
    expect(scans, JSON.stringify(plan.map((n) => n['Node Type']))).toEqual([]);
    const filtered = plan.reduce((sum, n) => sum + (n['Rows Removed by Join Filter'] ?? 0), 0);
    expect(filtered).toBeLessThan(BATCH);
  });
});
