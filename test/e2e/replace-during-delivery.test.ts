// Claim fencing end to end (issue 12 item 1): a job replaced (PUT) while its previous version is
// being delivered keeps the replacement; the old delivery's outcome is dropped and counted.
// The endpoint holds the POSTs (instead of taking 300 ms) so the order of events is fixed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnDaemon, type SpawnedDaemon } from '../support/daemon.js';
import { startEndpoint, type TestEndpoint } from '../support/endpoint.js';
import { createTestDatabase, skipMysql, type TestDatabase } from '../support/mysql.js';
import { createTestSchema, skipPostgres, type TestSchema } from '../support/postgres.js';
import { clusterEnv } from '../integration/cluster-support.js';
import { postgresEnv } from './postgres-cluster-support.js';

interface JobJson {
  interval: string;
  next_run: string | null;
  last_status: string | null;
}

async function droppedOutcomes(daemon: SpawnedDaemon): Promise<number> {
  const text = await (await fetch(`${daemon.url}/metrics`)).text();
  const line = /^dalga_outcomes_dropped_total (\d+)$/m.exec(text);
  return line ? Number(line[1]) : -1;
}

async function getJob(daemon: SpawnedDaemon, key: string): Promise<{ status: number; job?: JobJson }> {
  const res = await fetch(`${daemon.url}/jobs/${key}`);
  return res.status === 200 ? { status: 200, job: (await res.json()) as JobJson } : { status: res.status };
}

/**
 * PUT `first`, wait for its POST (held), PUT `second` on the same key, wait for that POST,
 * release both; answers the job once both outcomes were handled.
 */
async function replaceWhileDelivering(daemon: SpawnedDaemon, endpoint: TestEndpoint, key: string, first: string, second: string): Promise<{ status: number; job?: JobJson }> {
  endpoint.hold = true;
  expect((await fetch(`${daemon.url}/jobs/${key}?${first}`, { method: 'PUT' })).status).toBe(201);
  await endpoint.waitFor(1);
  expect((await fetch(`${daemon.url}/jobs/${key}?${second}`, { method: 'PUT' })).status).toBe(201);
  await endpoint.waitFor(2);
  endpoint.hold = false;
  endpoint.release();
  // The replacement's outcome is written (last_status 200) and the old one dropped (counted).
  await expect.poll(() => droppedOutcomes(daemon), { timeout: 10_000 }).toBe(1);
  await expect.poll(async () => (await getJob(daemon, key)).job?.last_status ?? null, { timeout: 10_000 }).toBe('200');
  return getJob(daemon, key);
}

const STORES = ['sqlite', 'mysql', 'postgres'] as const;
const skip = { sqlite: () => false, mysql: skipMysql, postgres: skipPostgres } as const;

for (const storeName of STORES) {
  describe.skipIf(skip[storeName]())(`replacing a job while it is delivered (${storeName}, bin/dalga serve)`, () => {
    let database: TestDatabase | undefined;
    let schema: TestSchema | undefined;
    let endpoint: TestEndpoint;
    let failed = false;

    beforeAll(async () => {
      if (storeName === 'mysql') database = await createTestDatabase();
      if (storeName === 'postgres') schema = await createTestSchema();
      endpoint = await startEndpoint();
    });
    afterAll(async () => {
      await endpoint.close();
      if (!failed) await database?.drop();
      if (!failed) await schema?.drop();
    });

    async function start(table: string): Promise<SpawnedDaemon> {
      const env = { DALGA_ENDPOINT_BASEURL: endpoint.baseUrl, DALGA_LOG_LEVEL: 'debug' };
      if (database) return spawnDaemon({ env: clusterEnv(database, { ...env, DALGA_MYSQL_TABLE: table }) });
      if (schema) return spawnDaemon({ env: postgresEnv(schema, { ...env, DALGA_POSTGRES_TABLE: table }) });
      return spawnDaemon({ env });
    }

    it('a one-off replaced by a periodic immediate job: the periodic job stays (the old "done" used to delete it)', async () => {
      endpoint.received.length = 0;
      const daemon = await start('swap');
      try {
        const got = await replaceWhileDelivering(daemon, endpoint, 'report/daily', 'one-off=true&immediate=true', 'interval=PT1H&immediate=true');
        expect(got.status).toBe(200);
        expect(got.job?.interval).toBe('PT1H');
        expect(Date.parse(got.job!.next_run!)).toBeGreaterThan(Date.now() + 3500_000);
        expect(daemon.stderr()).toMatch(/"dropped":1,.*"msg":"outcomes dropped/);
      } catch (err) {
        failed = true;
        throw err;
      } finally {
        await daemon.stop();
      }
    });

    it('a periodic job replaced by another periodic one: the next run comes from the new interval', async () => {
      endpoint.received.length = 0;
      const daemon = await start('periodic');
      try {
        const got = await replaceWhileDelivering(daemon, endpoint, 'report/weekly', 'interval=PT1M&immediate=true', 'interval=PT5H&immediate=true');
        expect(got.status).toBe(200);
        expect(got.job?.interval).toBe('PT5H');
        // From the new interval (5 h), not the old one (1 min).
        expect(Date.parse(got.job!.next_run!)).toBeGreaterThan(Date.now() + 4 * 3600_000);
        // And released: nothing else is delivered, the job is not held by a claim.
        const status = (await (await fetch(`${daemon.url}/status`)).json()) as { running_jobs: number };
        expect(status.running_jobs).toBe(0);
      } catch (err) {
        failed = true;
        throw err;
      } finally {
        await daemon.stop();
      }
    });
  });
}
