// A rolling migration from Go Dalga, tested with the real thing: a Go Dalga build
// (../shared/reference/dalga-go-v4 or v3) and a real `bin/dalga serve` on one MariaDB table.
// Jobs scheduled through either API, all due at the same instant, are each POSTed exactly once;
// each side's GET reads what the other side wrote.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RowDataPacket } from 'mysql2/promise';
import { clusterEnv } from '../integration/cluster-support.js';
import { spawnDaemon, type SpawnedDaemon } from './daemon.js';
import { startEndpoint, type TestEndpoint } from './endpoint.js';
import { createGoTables, freePort, skipGoReference, startGoDalga, type GoDalga } from './go-reference.js';
import { createTestDatabase, skipMysql, type TestDatabase } from './mysql.js';

const JOBS_PER_SIDE = 10;

interface JobJson {
  path: string;
  body: string;
  interval: string;
  location: string;
  next_run: string | null;
}

/** The whole test for one Go build; each version has its own test file, so they run in parallel. */
export function describeMixedCluster(version: 'v3' | 'v4'): void {
  describe.skipIf(skipMysql() || skipGoReference())(`Go Dalga ${version} and dalga on one table`, () => {
    let db: TestDatabase;
    let endpoint: TestEndpoint;
    let go: GoDalga;
    let ours: SpawnedDaemon;
    let passed = 0;
    const table = `mixed_${version}`;

    beforeAll(async () => {
      db = await createTestDatabase();
      endpoint = await startEndpoint();
      const where = { db: db.options.db, table, mysqlHost: db.options.host, mysqlPort: db.options.port };
      // As in production: the Go table exists and a Go instance runs; then dalga starts on it
      // (upgrading the table in place while the Go instance keeps running).
      expect(createGoTables(version, { ...where, listenPort: await freePort() })).toBe('Table created successfully\n');
      go = await startGoDalga(version, { ...where, endpoint: endpoint.baseUrl });
      ours = await spawnDaemon({ env: clusterEnv({ ...db, options: { ...db.options, table } }, { DALGA_ENDPOINT_BASEURL: endpoint.baseUrl }) });
    });

    afterAll(async () => {
      const goExit = await go?.stop();
      const ourExit = await ours?.stop();
      await endpoint?.close();
      expect({ goExit, ourExit }).toEqual({ goExit: 0, ourExit: 0 });
      if (passed === 2) await db.drop();
    });

    it('each side reads what the other wrote', async () => {
      // Far in the future, so nothing fires: a periodic job with a location, and a one-off job
      // (Go stores its interval as '').
      const later = '2030-01-02T14:09:00-08:00';
      const writes = [
        { via: go.url, path: 'go_periodic', query: `interval=P1D&first-run=${encodeURIComponent(later)}&location=America/Los_Angeles` },
        { via: go.url, path: 'go_oneoff', query: `one-off=true&first-run=${encodeURIComponent(later)}` },
        { via: ours.url, path: 'our_periodic', query: `interval=P1D&first-run=${encodeURIComponent(later)}&location=America/Los_Angeles` },
        { via: ours.url, path: 'our_oneoff', query: `one-off=true&first-run=${encodeURIComponent(later)}` },
      ];
      for (const w of writes) {
        const put = await fetch(`${w.via}/jobs/${w.path}/1?${w.query}`, { method: 'PUT' });
        expect(put.status, `${w.path}: ${await put.clone().text()}`).toBe(201);
      }
      const [[stored]] = await db.withAdmin((c) => c.query<RowDataPacket[]>(`SELECT \`interval\` FROM ${table} WHERE path = 'go_oneoff'`));
      expect(stored).toEqual({ interval: '' });

      for (const w of writes) {
        const viaGo = await getJob(go.url, w.path);
        const viaOurs = await getJob(ours.url, w.path);
        // The same job, the same instant, the same interval and location, whoever wrote it.
        expect(Date.parse(viaGo.next_run!), `${w.path} via Go`).toBe(Date.parse(later));
        expect(Date.parse(viaOurs.next_run!), `${w.path} via dalga`).toBe(Date.parse(later));
        expect({ path: viaOurs.path, body: viaOurs.body, location: viaOurs.location }).toEqual({ path: viaGo.path, body: viaGo.body, location: viaGo.location });
        expect(isZeroInterval(viaOurs.interval), `${w.path}: dalga ${viaOurs.interval}, Go ${viaGo.interval}`).toBe(isZeroInterval(viaGo.interval));
        if (!isZeroInterval(viaGo.interval)) expect(viaOurs.interval).toBe(viaGo.interval);
      }
      passed++;
    });

    it('jobs scheduled through either API, due at the same instant, are each POSTed exactly once: by Go alone, then by both', async () => {
      // Go alone: dalga is paused (SIGSTOP) from just after the PUTs until every POST has arrived.
      try {
        await deliverBatch('alone', () => ours.proc.kill('SIGSTOP'));
      } finally {
        ours.proc.kill('SIGCONT');
      }
      // Both running.
      await deliverBatch('both', () => undefined);
      passed++;
    });

    /** Schedules JOBS_PER_SIDE jobs through each API, due at one instant, and checks each is POSTed once. */
    async function deliverBatch(batch: string, afterPuts: () => void): Promise<void> {
      endpoint.received.length = 0;
      // A whole second (Go keeps whole seconds), far enough ahead for every PUT to land first.
      const due = new Date(Math.ceil((Date.now() + 1200) / 1000) * 1000).toISOString();
      const puts = [];
      for (let i = 0; i < JOBS_PER_SIDE; i++) {
        // Half one-off, half periodic (an hour: its next run is out of the test's reach).
        const query = i % 2 === 0 ? `one-off=true&first-run=${due}` : `interval=PT1H&first-run=${due}`;
        puts.push(fetch(`${go.url}/jobs/${batch}_go/${i}?${query}`, { method: 'PUT' }), fetch(`${ours.url}/jobs/${batch}_ours/${i}?${query}`, { method: 'PUT' }));
      }
      expect((await Promise.all(puts)).map((r) => r.status)).toEqual(Array(2 * JOBS_PER_SIDE).fill(201));
      afterPuts();

      await endpoint.waitFor(2 * JOBS_PER_SIDE, 8000).catch(async (e: unknown) => {
        const rows = await db.withAdmin(async (c) => (await c.query(`SELECT path, body, \`interval\`, next_run, instance_id, last_status FROM ${table} WHERE path LIKE '${batch}\\_%'`))[0]);
        throw new Error(`${String(e)}: got ${endpoint.received.map((p) => `${p.url} ${p.body}`).join(', ')}; table ${JSON.stringify(rows)}`);
      });
      // Settled: every one-off job is deleted, every periodic one is unclaimed and an hour ahead.
      // Nothing is left that could be POSTed again, so the counts below are final.
      const pending = async (): Promise<number> => {
        const [[row]] = await db.withAdmin((c) =>
          c.query<RowDataPacket[]>(
            `SELECT COUNT(*) AS n FROM ${table} WHERE path LIKE ? AND (instance_id IS NOT NULL OR next_run IS NULL OR next_run <= UTC_TIMESTAMP(3) + INTERVAL 30 MINUTE)`,
            [`${batch}\\_%`],
          ),
        );
        return Number(row!['n']);
      };
      await expect.poll(pending, { timeout: 8000, interval: 100 }).toBe(0);
      const [[left]] = await db.withAdmin((c) => c.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${table} WHERE path LIKE ?`, [`${batch}\\_%`]));
      expect(Number(left!['n'])).toBe(JOBS_PER_SIDE); // the periodic half of each side

      const counts: Record<string, number> = {};
      for (const post of endpoint.received) counts[`${post.url} ${post.body}`] = (counts[`${post.url} ${post.body}`] ?? 0) + 1;
      const expected: Record<string, number> = {};
      for (let i = 0; i < JOBS_PER_SIDE; i++) {
        expected[`/${batch}_go ${i}`] = 1;
        expected[`/${batch}_ours ${i}`] = 1;
      }
      expect(counts).toEqual(expected);
    }
  });
}

async function getJob(base: string, path: string): Promise<JobJson> {
  const res = await fetch(`${base}/jobs/${path}/1`);
  const text = await res.text();
  expect(res.status, `GET ${base}/jobs/${path}/1: ${text}`).toBe(200);
  return JSON.parse(text) as JobJson;
}

/** A one-off job's interval: '' or a zero duration, depending on who answers. */
function isZeroInterval(interval: string): boolean {
  return interval === '' || /^P(T0S|0D)$/.test(interval);
}
