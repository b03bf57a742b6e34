import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DALGA_BIN, type SpawnedDaemon, spawnDaemon } from '../support/daemon.js';

// The built `bin/dalga ls --watch` in a real pseudo-terminal (a tmux pane, 120×30) against a
// real daemon: a job scheduled while it runs appears, `q` quits with status 0 and the terminal's
// normal screen comes back. Needs tmux and the build (`npm test` builds first).

const SOCKET = `dalga-watch-${process.pid}`;
const SESSION = 'watch';
let daemon: SpawnedDaemon;
let dir: string;

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
}

function pane(): string {
  return tmux('capture-pane', '-p', '-t', SESSION);
}

/** Poll `check` until it holds; fails with the last pane after `limitMs`. Waits for an event, asserts no timing. */
async function until(what: string, check: () => boolean, limitMs = 20_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}; the pane shows:\n${pane()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function quote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

beforeAll(async () => {
  expect(spawnSync('tmux', ['-V']).status, 'tmux is needed for this test').toBe(0);
  dir = mkdtempSync(join(tmpdir(), 'dalga-watch-'));
  daemon = await spawnDaemon();
});

afterAll(async () => {
  spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
  await daemon?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('dalga ls --watch in a terminal', () => {
  it('shows a job scheduled while it runs, and q quits with status 0, restoring the screen', async () => {
    const exitFile = join(dir, 'exit');
    // A clean environment: Ink draws nothing live when it thinks it runs in CI (CI, CI_* variables).
    const command = [
      `env -i PATH=${quote(process.env['PATH'] ?? '')} HOME=${quote(dir)} TERM=xterm-256color LANG=C.UTF-8`,
      `${quote(process.execPath)} ${quote(DALGA_BIN)} ls --watch --refresh 500ms --url ${quote(daemon.url)}`,
      `; echo $? > ${quote(exitFile)}; echo view-ended; sleep 600`,
    ].join(' ');
    tmux('new-session', '-d', '-s', SESSION, '-x', '120', '-y', '30', command);

    await until('the header', () => pane().includes(`dalga ${daemon.url}`) && pane().includes('no jobs'));

    const put = await fetch(`${daemon.url}/jobs/watched-job/hello?interval=PT1H`, { method: 'PUT' });
    expect(put.status).toBe(201);
    await until('the scheduled job', () => /scheduled +watched-job +hello +in 59m\d\ds/.test(pane()));
    expect(pane()).toMatch(/jobs 1 {2}pending 0 {2}running 0/);

    tmux('send-keys', '-t', SESSION, 'q');
    await until('the exit status', () => existsSync(exitFile) && readFileSync(exitFile, 'utf8').trim() !== '');
    expect(readFileSync(exitFile, 'utf8').trim()).toBe('0');
    await until('the normal screen', () => pane().includes('view-ended'));
    expect(pane()).not.toContain('watched-job');
  });

  it('Ctrl-C ends it with status 130, as the README says an interruption does', async () => {
    const exitFile = join(dir, 'exit-ctrl-c');
    const command = [
      `env -i PATH=${quote(process.env['PATH'] ?? '')} HOME=${quote(dir)} TERM=xterm-256color LANG=C.UTF-8`,
      `${quote(process.execPath)} ${quote(DALGA_BIN)} ls --watch --url ${quote(daemon.url)}`,
      `; echo $? > ${quote(exitFile)}; echo view-ended; sleep 600`,
    ].join(' ');
    tmux('new-session', '-d', '-s', 'ctrl-c', '-x', '80', '-y', '24', command);
    const shown = (): string => tmux('capture-pane', '-p', '-t', 'ctrl-c');
    await until('the footer', () => shown().includes('q quit'));
    tmux('send-keys', '-t', 'ctrl-c', 'C-c');
    await until('the exit status', () => existsSync(exitFile) && readFileSync(exitFile, 'utf8').trim() !== '');
    expect(readFileSync(exitFile, 'utf8').trim()).toBe('130');
  });
});
