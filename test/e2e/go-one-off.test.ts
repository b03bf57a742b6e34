// Go Dalga stores a one-off job's interval as '' (issue 12 item 3). Rows written by the real
// dalga-go-v4 through its own API are delivered once by `bin/dalga serve` and then deleted, and
// read as one-off jobs (`P0D`) in the API; they used to be disabled as "invalid interval".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnDaemon, type SpawnedDaemon } from '../support/daemon.js';
import { startEndpoint, type TestEndpoint } from '../support/endpoint.js';
import { createGoTables, freePort, skipGoReference, startGoDalga } from '../support/go-reference.js';
import { createTestDatabase, skipMysql, type TestDatabase } from '../support/mysql.js';
import { clusterEnv } from '../integration/cluster-support.js';

const TABLE = 'go_one_off';
const DUE = 4;

describe.skipIf(skipMysql() || skipGoReference())('one-off jobs written by Go Dalga v4 (bin/dalga serve on its table)', () => {
  let database: TestDatabase;
  let endpoint: TestEndpoint;
  let daemon: SpawnedDaemon | undefined;
  let failed = false;

  beforeAll(async () => {
    database = await createTestDatabase();
    endpoint = await startEndpoint();
  });
  afterAll(async () => {
    await daemon?.stop();
    await endpoint.close();
    if (!failed) await database.drop();
  });

  it('delivers them once and deletes them; the API shows them as P0D', async () => {
    try {
      const where = { db: database.options.db, table: TABLE, mysqlHost: database.options.host, mysqlPort: database.options.port };
      createGoTables('v4', { ...where, listenPort: await freePort() });
      // Go's own scheduler cannot deliver (nothing listens on port 9); it is stopped before they are due.
      const go = await startGoDalga('v4', { ...where, endpoint: 'http://127.0.0.1:9/' });
      const firstRun = new Date(Math.ceil((Date.now() + 3000) / 1000) * 1000).toISOString().replace('.000Z', 'Z');
      for (let i = 0; i < DUE; i++) {
        const res = await fetch(`${go.url}/jobs/go-once/${i}?one-off=true&first-run=${firstRun}`, { method: 'PUT' });
        expect(res.status, await res.text()).toBe(201);
      }
      const later = new Date(Date.now() + 3600_000).toISOString().replace(/\.\d+Z$/, 'Z');
      expect((await fetch(`${go.url}/jobs/go-later/x?one-off=true&first-run=${later}`, { method: 'PUT' })).status).toBe(201);
      expect(await go.stop()).toBe(0);
      const intervals = await database.withAdmin(async (conn) => {
        const [rows] = await conn.query(`SELECT DISTINCT \`interval\` AS i FROM ${TABLE}`);
        return (rows as { i: string }[]).map((r) => r.i);
      });
      expect(intervals).toEqual(['']); // what Go itself writes for a one-off

      daemon = await spawnDaemon({ env: clusterEnv(database, { DALGA_MYSQL_TABLE: TABLE, DALGA_ENDPOINT_BASEURL: endpoint.baseUrl }) });
      const posts = await endpoint.waitFor(DUE, 15_000);
      expect(posts.map((p) => `${p.url} ${p.body}`).sort()).toEqual(Array.from({ length: DUE }, (_, i) => `/go-once ${i}`));
      for (let i = 0; i < DUE; i++) {
        await expect.poll(async () => (await fetch(`${daemon!.url}/jobs/go-once/${i}`)).status, { timeout: 5000 }).toBe(404);
      }
      const job = (await (await fetch(`${daemon.url}/jobs/go-later/x`)).json()) as { interval: string };
      expect(job.interval).toBe('P0D');
      const listed = (await (await fetch(`${daemon.url}/jobs?limit=10`)).json()) as { jobs: { interval: string }[] };
      expect(listed.jobs.map((j) => j.interval)).toEqual(['P0D']);
      expect(endpoint.received).toHaveLength(DUE); // once each
      expect(daemon.stderr()).not.toMatch(/invalid interval/);
    } catch (err) {
      failed = true;
      throw err;
    }
  });
});
