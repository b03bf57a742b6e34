import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { trackOpen } from './cleanup.js';

export const DALGA_BIN = resolve(import.meta.dirname, '../../bin/dalga');

export interface SpawnedDaemon {
  url: string;
  proc: ChildProcess;
  /** Everything the daemon wrote to stderr so far. */
  stderr(): string;
  /** SIGTERM (or `signal`) and wait for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Resolves with the exit code when the process ends. */
  exited: Promise<number | null>;
}

export interface SpawnDaemonOptions {
  env?: Record<string, string>;
  args?: string[];
  /** SQLite file; default a new temporary one. */
  sqlitePath?: string;
  cwd?: string;
  /** Run bin/dalga as a user's shell does (through its `#!/bin/sh` line), not as `node bin/dalga`. */
  viaShebang?: boolean;
}

/**
 * Starts the built `bin/dalga serve` on a free loopback port (`--listen-port 0`) and resolves
 * once it logged its URL. Fails with the daemon's stderr if it exits first.
 */
export async function spawnDaemon(options: SpawnDaemonOptions = {}): Promise<SpawnedDaemon> {
  const dir = mkdtempSync(join(tmpdir(), 'dalga-test-'));
  const sqlitePath = options.sqlitePath ?? join(dir, 'dalga.sqlite');
  const args = [DALGA_BIN, 'serve', '--listen-port', '0', '--sqlite', sqlitePath, ...(options.args ?? [])];
  const [command, ...commandArgs] = options.viaShebang ? args : [process.execPath, ...args];
  const proc = spawn(command!, commandArgs, {
    cwd: options.cwd ?? dir,
    env: { ...cleanEnv(), DALGA_LOG_LEVEL: 'info', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr!.setEncoding('utf8');
  proc.stdout!.resume();
  const exited = new Promise<number | null>((res) => proc.on('exit', (code) => res(code)));
  void exited.then(() => rmSync(dir, { recursive: true, force: true }));
  const url = await new Promise<string>((res, rej) => {
    const onData = (chunk: string): void => {
      stderr += chunk;
      const match = /"url":"(http:\/\/[^"]+)"/.exec(stderr);
      if (match?.[1]) res(match[1]);
    };
    proc.stderr!.on('data', onData);
    void exited.then((code) => rej(new Error(`dalga serve exited with ${code} before listening:\n${stderr}`)));
  });
  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
    return exited;
  };
  trackOpen(() => stop('SIGKILL'));
  return { url, proc, stderr: () => stderr, exited, stop };
}

/** The environment without DALGA_* settings of the developer's shell. */
export function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('DALGA_')) env[k] = v;
  return env;
}
