import { spawnSync } from 'node:child_process';
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanEnv, DALGA_BIN, spawnDaemon } from '../support/daemon.js';
import { mountTmpfs } from '../support/tmpfs.js';

// Start-up errors say what to do (issue 18 item 6): an existing SQLite file on a filesystem
// that became read-only is exit 5 with one line naming the cause and the fix, not exit 1
// "unexpected error: attempt to write a readonly database". As root, chmod does not stop
// writes: the filesystem itself is remounted read-only.
const fs = mountTmpfs('2m');
afterAll(() => fs?.unmount());

/** Writes zeros to `file` until the filesystem has no room left. */
function fillUp(file: string): void {
  const fd = openSync(file, 'w');
  const block = Buffer.alloc(64 * 1024);
  try {
    for (;;) writeSync(fd, block);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
  // What is left is less than a block: fill it byte-wise.
  const tail = openSync(file, 'a');
  try {
    for (;;) writeSync(tail, Buffer.alloc(512));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(tail);
  }
}

function serveOnce(sqlitePath: string): ReturnType<typeof spawnSync> {
  return spawnSync(process.execPath, [DALGA_BIN, 'serve', '--listen-port', '0', '--sqlite', sqlitePath], {
    env: cleanEnv(),
    encoding: 'utf8',
    timeout: 20_000,
    killSignal: 'SIGKILL',
  });
}

function expectReadOnlyRefusal(run: ReturnType<typeof spawnSync>): void {
  const stderr = String(run.stderr);
  expect(run.status, stderr).toBe(5);
  expect(stderr.trim().split('\n')).toHaveLength(1);
  expect(stderr).toMatch(/^dalga: SQLite database .*dalga\.sqlite cannot be written \(SQLITE_\w+: .* is on a read-only filesystem\) — .*make the file and its directory writable, or set sqlite\.path/);
  expect(stderr).not.toMatch(/unexpected error|\n\s+at /);
}

describe.skipIf(fs === undefined)('serve on a read-only filesystem', () => {
  it('exits 5 with what to do, after a clean stop and after a kill -9 (WAL files left behind)', async () => {
    const sqlitePath = join(fs!.dir, 'dalga.sqlite');
    const first = await spawnDaemon({ sqlitePath });
    expect((await fetch(`${first.url}/jobs/a/b?interval=60`, { method: 'PUT' })).status).toBe(201);
    expect(await first.stop()).toBe(0);
    fs!.remount('ro');
    expectReadOnlyRefusal(serveOnce(sqlitePath));

    fs!.remount('rw');
    const second = await spawnDaemon({ sqlitePath });
    expect((await fetch(`${second.url}/jobs/a/c?interval=60`, { method: 'PUT' })).status).toBe(201);
    await second.stop('SIGKILL');
    fs!.remount('ro');
    expectReadOnlyRefusal(serveOnce(sqlitePath));
    fs!.remount('rw');
  });

  it('exits 5 saying the disk is full when the filesystem has no room left', async () => {
    const sqlitePath = join(fs!.dir, 'full.sqlite');
    const first = await spawnDaemon({ sqlitePath });
    expect((await fetch(`${first.url}/jobs/a/b?interval=60`, { method: 'PUT' })).status).toBe(201);
    expect(await first.stop()).toBe(0);
    fillUp(join(fs!.dir, 'filler'));
    const run = serveOnce(sqlitePath);
    const stderr = String(run.stderr);
    expect(run.status, stderr).toBe(5);
    expect(stderr).toMatch(/^dalga: SQLite database .*full\.sqlite: disk full \(SQLITE_\w+\), nothing was written — free space on its filesystem\n$/);
    rmSync(join(fs!.dir, 'filler'));
  });
});
