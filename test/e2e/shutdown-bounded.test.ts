// SIGTERM while the database does not answer: `bin/dalga serve` exits within
// listen.shutdownTimeout (plus the CLI's one second to flush its output), not after the store's
// statement timeouts — nor never, as with a batch of outcomes retried for ever.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clusterEnv } from '../integration/cluster-support.js';
import { spawnDaemon, type SpawnedDaemon } from '../support/daemon.js';
import { startEndpoint, type TestEndpoint } from '../support/endpoint.js';
import { createTestDatabase, MYSQL_HOST, MYSQL_PORT, skipMysql, type TestDatabase } from '../support/mysql.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

let db: TestDatabase;
let endpoint: TestEndpoint;
let proxy: TcpProxy;
let daemon: SpawnedDaemon | undefined;
let passed = false;

beforeEach(async () => {
  db = await createTestDatabase();
  endpoint = await startEndpoint();
  proxy = await startTcpProxy({ host: MYSQL_HOST, port: MYSQL_PORT });
});

afterEach(async () => {
  endpoint.release();
  await daemon?.stop('SIGKILL');
  daemon = undefined;
  await proxy.close();
  await endpoint.close();
  if (passed) await db.drop();
});

describe.skipIf(skipMysql())('shutdown while MariaDB does not answer', () => {
  it('exits within listen.shutdownTimeout', async () => {
    daemon = await spawnDaemon({
      // The store's own statement timeout (30 s by default) is far longer than the shutdown's.
      env: clusterEnv(db, { DALGA_MYSQL_PORT: String(proxy.port), DALGA_ENDPOINT_BASEURL: endpoint.baseUrl, DALGA_LISTEN_SHUTDOWNTIMEOUT: '1s' }),
    });
    endpoint.hold = true;
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${daemon.url}/jobs/held/${i}?interval=PT1H&immediate=true`, { method: 'PUT' });
      expect(res.status).toBe(201);
    }
    await endpoint.waitFor(3);
    // The database goes silent; the deliveries finish and their outcomes cannot be written.
    proxy.stall();
    endpoint.hold = false;
    endpoint.release();
    await new Promise((resolve) => setTimeout(resolve, 200));

    const signalled = Date.now();
    daemon.proc.kill('SIGTERM');
    const exitedWithin = await Promise.race([daemon.exited.then(() => Date.now() - signalled), new Promise<null>((resolve) => setTimeout(() => resolve(null), 6000))]);
    expect(exitedWithin, `still running 6 s after SIGTERM:\n${daemon.stderr()}`).not.toBeNull();
    expect(exitedWithin!).toBeLessThan(4500);
    expect(daemon.stderr()).toMatch(/shutdown timeout/);
    passed = true;
  });
});
