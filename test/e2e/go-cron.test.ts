// A cron job on a MySQL table shared with the real Go Dalga v4 (README "Moving from Go Dalga"):
// Go reads the row (its API answers it; a Go client's struct decodes the JSON), runs it once when
// due without failing, and parks it by its `interval` (P1000Y); a dalga instance then puts it back
// on its expression. Nothing is delivered at a wrong time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCron } from '../../src/schedule/cron.js';
import { spawnDaemon, type SpawnedDaemon } from '../support/daemon.js';
import { startEndpoint, type TestEndpoint } from '../support/endpoint.js';
import { skipGoReference, startGoDalga } from '../support/go-reference.js';
import { createTestDatabase, skipMysql, type TestDatabase } from '../support/mysql.js';
import { clusterEnv } from '../integration/cluster-support.js';

const CRON = '0 9 * * 1-5';
const ZONE = 'Europe/Istanbul';
// senseyeio/duration's pattern, which Go Dalga parses `interval` with.
const GO_ISO8601 = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

/** The fields and JSON types of Go Dalga's JobJSON struct (internal/table/job.go). */
function decodeLikeGo(json: Record<string, unknown>): void {
  expect(typeof json['path']).toBe('string');
  expect(typeof json['body']).toBe('string');
  expect(typeof json['interval']).toBe('string');
  expect(typeof json['location']).toBe('string');
  expect(json['next_run'] === null || typeof json['next_run'] === 'string').toBe(true);
  expect(typeof json['next_sched']).toBe('string');
  const id = json['instance_id'];
  expect(id === null || (typeof id === 'number' && Number.isInteger(id) && id >= 0 && id < 2 ** 32)).toBe(true);
  // A Go client that parses the interval gets a periodic (non-zero) duration.
  const m = GO_ISO8601.exec(json['interval'] as string);
  expect(m).not.toBeNull();
  expect(m!.slice(1).some((part) => part !== undefined && Number(part) > 0)).toBe(true);
}

describe.skipIf(skipMysql() || skipGoReference())('a cron job on a table shared with Go Dalga v4', () => {
  let database: TestDatabase;
  let endpoint: TestEndpoint;
  let daemon: SpawnedDaemon | undefined;
  let passed = false;

  beforeAll(async () => {
    database = await createTestDatabase();
    endpoint = await startEndpoint();
  });
  afterAll(async () => {
    await daemon?.stop();
    await endpoint.close();
    if (passed) await database.drop();
  });

  it('Go reads it and runs it once without failing; dalga puts it back on its expression', async () => {
    const env = clusterEnv(database, { DALGA_ENDPOINT_BASEURL: endpoint.baseUrl });
    daemon = await spawnDaemon({ env });
    const put = await fetch(`${daemon.url}/jobs/report/weekday?cron=${encodeURIComponent(CRON)}&location=${ZONE}&first-run=2099-01-01T00:00:00Z`, { method: 'PUT' });
    expect(put.status).toBe(201);
    const ours = (await put.json()) as Record<string, unknown>;
    decodeLikeGo(ours);
    expect(ours).toMatchObject({ interval: 'P1000Y', cron: CRON });
    expect(await daemon.stop()).toBe(0);
    daemon = undefined;

    // Due now, as if its time had come while only the Go instance ran.
    const table = database.options.table;
    await database.withAdmin((c) => c.query(`UPDATE \`${table}\` SET next_run = UTC_TIMESTAMP(3) - INTERVAL 1 SECOND, next_sched = UTC_TIMESTAMP(3) - INTERVAL 1 SECOND`));
    const go = await startGoDalga('v4', { db: database.options.db, table, endpoint: endpoint.baseUrl, mysqlHost: database.options.host, mysqlPort: database.options.port });
    try {
      const [post] = await endpoint.waitFor(1, 10_000);
      expect(post).toMatchObject({ url: '/report', body: 'weekday' });
      let parked: Record<string, unknown> = {};
      await expect
        .poll(async () => {
          parked = (await (await fetch(`${go.url}/jobs/report/weekday`)).json()) as Record<string, unknown>;
          return parked['instance_id'];
        })
        .toBeNull();
      decodeLikeGo(parked);
      expect(Number(String(parked['next_sched']).slice(0, 4))).toBeGreaterThan(new Date().getUTCFullYear() + 900);
      expect(go.proc.exitCode).toBeNull();
      expect((await fetch(`${go.url}/status`)).status).toBe(200);
    } finally {
      expect(await go.stop()).not.toBeNull();
    }

    daemon = await spawnDaemon({ env });
    const expected = parseCron(CRON, ZONE).next(Date.now())!;
    const job = async (): Promise<Record<string, unknown>> => (await (await fetch(`${daemon!.url}/jobs/report/weekday`)).json()) as Record<string, unknown>;
    await expect.poll(async () => Date.parse(String((await job())['next_run'])), { timeout: 15_000 }).toBe(expected);
    expect(endpoint.received).toHaveLength(1);
    passed = true;
  });
});
