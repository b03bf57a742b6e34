import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanEnv, DALGA_BIN, spawnDaemon } from '../support/daemon.js';
import { startEndpoint } from '../support/endpoint.js';

// A lone SQLite instance that was killed gets its jobs back at once (issue 18 item 4): the
// daemon holds an OS lock on `<file>-lock` for its lifetime, so a new one knows no other
// process uses the file and releases the claims of the instances that are gone at start,
// instead of after mysql.instanceTimeout (60 s).
const dir = mkdtempSync(join(tmpdir(), 'dalga-restart-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a killed SQLite daemon, restarted', () => {
  it('refuses a second daemon on the file while it lives, and its successor runs its claimed jobs at once', async () => {
    const sqlitePath = join(dir, 'dalga.sqlite');
    const endpoint = await startEndpoint();
    endpoint.hold = true; // deliveries hang: the jobs stay claimed
    const env = { DALGA_ENDPOINT_BASEURL: endpoint.baseUrl };
    const first = await spawnDaemon({ sqlitePath, env });
    for (let i = 0; i < 5; i++) expect((await fetch(`${first.url}/jobs/hang/${i}?one-off=true&immediate=true`, { method: 'PUT' })).status).toBe(201);
    await endpoint.waitFor(5);
    const firstInstance = endpoint.received[0]!.headers['dalga-instance'];

    const second = spawnSync(process.execPath, [DALGA_BIN, 'serve', '--listen-port', '0', '--sqlite', sqlitePath], {
      env: { ...cleanEnv(), ...env },
      encoding: 'utf8',
      timeout: 20_000,
      killSignal: 'SIGKILL',
    });
    expect(second.status, second.stderr).toBe(5);
    expect(second.stderr).toMatch(/^dalga: SQLite database .*dalga\.sqlite is in use by another dalga process \(it holds .*dalga\.sqlite-lock\) — stop that one, or give this one another sqlite\.path\n$/);

    await first.stop('SIGKILL');
    endpoint.hold = false;
    endpoint.release();
    const restarted = await spawnDaemon({ sqlitePath, env });
    // Released before the first claim, in the start-up log, and delivered again well before 60 s.
    expect(restarted.stderr()).toMatch(/"instances":1,"jobs":5,"msg":"released the jobs of instances that are gone/);
    const all = await endpoint.waitFor(10, 10_000);
    const again = all.slice(5);
    expect(again.map((post) => post.url).sort()).toEqual(['/hang', '/hang', '/hang', '/hang', '/hang']);
    expect(again.map((post) => post.body).sort()).toEqual(['0', '1', '2', '3', '4']);
    expect(new Set(again.map((post) => post.headers['dalga-instance']))).not.toContain(firstInstance);
    await restarted.stop();
  });
});
