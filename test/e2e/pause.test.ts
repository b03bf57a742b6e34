// `dalga pause` / `dalga resume` against real `bin/dalga serve` processes sharing one MariaDB
// table (a SQLite file admits one process): the flag set through one instance stops the other,
// survives a restart of both, and resuming delivers what fell due meanwhile.
import { spawnSync } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { clusterEnv } from '../integration/cluster-support.js';
import { cleanEnv, DALGA_BIN, spawnDaemon, type SpawnedDaemon } from '../support/daemon.js';
import { startEndpoint, type TestEndpoint } from '../support/endpoint.js';
import { createTestDatabase, skipMysql, type TestDatabase } from '../support/mysql.js';

let db: TestDatabase | undefined;
let passed = false;
beforeAll(async () => {
  if (!skipMysql()) db = await createTestDatabase();
});
afterAll(async () => {
  if (passed) await db?.drop();
});

let daemons: SpawnedDaemon[] = [];
let endpoint: TestEndpoint | undefined;
afterEach(async () => {
  await Promise.all(daemons.map((d) => d.stop()));
  daemons = [];
  await endpoint?.close();
  endpoint = undefined;
});

function cli(url: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [DALGA_BIN, '--url', url, ...args], { env: cleanEnv(), encoding: 'utf8', timeout: 20_000 });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(skipMysql())('dalga pause / resume (two instances on one MariaDB table)', () => {
  it('a pause set through one instance stops the other within a second, survives a restart of both, and resume delivers', async () => {
    endpoint = await startEndpoint();
    const start = (): Promise<SpawnedDaemon> => spawnDaemon({ env: clusterEnv(db!, { DALGA_ENDPOINT_BASEURL: endpoint!.baseUrl }) });
    daemons = [await start(), await start()];
    const [a, b] = daemons as [SpawnedDaemon, SpawnedDaemon];

    const paused = cli(a.url, 'pause', '--json');
    expect(paused.stderr).toBe('');
    expect(paused.status).toBe(0);
    expect(JSON.parse(paused.stdout)).toMatchObject({ paused: true });
    // Within a second every instance has read the flag.
    await sleep(1100);
    expect((await fetch(`${b.url}/jobs/tick/1?interval=PT1S&immediate=true`, { method: 'PUT' })).status).toBe(201);
    await sleep(1500);
    expect(endpoint.received).toHaveLength(0);

    await Promise.all(daemons.map((d) => d.stop()));
    daemons = [await start(), await start()];
    const status = cli(daemons[1]!.url, 'status');
    expect(status.status).toBe(0);
    expect(status.stdout).toMatch(/^paused: +yes — no deliveries on any instance since /m);
    expect((await (await fetch(`${daemons[0]!.url}/status`)).json()) as object).toMatchObject({ paused: true });
    await sleep(1500);
    expect(endpoint.received).toHaveLength(0);

    const resumed = cli(daemons[0]!.url, 'resume');
    expect(resumed.status).toBe(0);
    expect(resumed.stdout).toMatch(/^paused: +no$/m);
    const [post] = await endpoint.waitFor(1);
    expect(post).toMatchObject({ url: '/tick', body: '1' });
    expect(cli(daemons[1]!.url, 'status').stdout).toMatch(/^paused: +no$/m);
    passed = true;
  }, 60_000);
});
