// Runs the real `bin/dalga` (built into dist/) as the benchmarks' daemon: one process per
// instance, configured only through flags and DALGA_* environment variables, as a user would.
import { spawnSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCpuMs, readRss, readRssAnon, spawnTracked, stopChild } from './proc.js';

export const DALGA_BIN = fileURLToPath(new URL('../../bin/dalga', import.meta.url));

/**
 * The environment for a store: { kind: 'sqlite', path }, { kind: 'mysql', db, table } or
 * { kind: 'postgres', schema, table }.
 * The developer's own DALGA_* settings are dropped so that they cannot skew a run.
 */
export function storeEnv(store, extra = {}) {
  const env = {};
  // The caller's own DALGA_* variables are left out (its store settings must not leak in);
  // BENCH_DAEMON_ENV="DALGA_HISTORY_KEEP=0 …" passes settings to every daemon on purpose.
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('DALGA_')) env[k] = v;
  for (const pair of (process.env.BENCH_DAEMON_ENV ?? '').split(' ').filter((p) => p.includes('='))) {
    const at = pair.indexOf('=');
    env[pair.slice(0, at)] = pair.slice(at + 1);
  }
  if (store.kind === 'mysql') {
    Object.assign(env, {
      DALGA_STORE: 'mysql',
      DALGA_MYSQL_HOST: '127.0.0.1',
      DALGA_MYSQL_PORT: '3306',
      DALGA_MYSQL_USER: 'root',
      DALGA_MYSQL_DB: store.db,
      DALGA_MYSQL_TABLE: store.table,
    });
  } else if (store.kind === 'postgres') {
    Object.assign(env, {
      DALGA_STORE: 'postgres',
      DALGA_POSTGRES_URL: 'postgres://root@127.0.0.1:5432/test',
      DALGA_POSTGRES_SCHEMA: store.schema,
      DALGA_POSTGRES_TABLE: store.table,
    });
  } else {
    Object.assign(env, { DALGA_STORE: 'sqlite', DALGA_SQLITE_PATH: store.path, DALGA_SQLITE_TABLE: store.table });
  }
  return { ...env, ...extra };
}

/** `dalga create-tables` for the store; throws with its stderr when it fails. */
export function createTables(store, bin = DALGA_BIN) {
  const result = spawnSync(process.execPath, [bin ?? DALGA_BIN, 'create-tables'], {
    env: storeEnv(store, { DALGA_LOG_LEVEL: 'warn' }),
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (result.status !== 0) throw new Error(`dalga create-tables failed (${result.status}):\n${result.stderr}`);
}

let daemonsStarted = 0;

/**
 * `dalga serve --listen-port 0` on the store, POSTing to `endpoint`. Resolves when the daemon
 * logged its URL. `env` adds DALGA_* settings (e.g. DALGA_JOBS_MAXRUNNING); `nodeArgs` go to node
 * (e.g. --cpu-prof); `bin` another build's bin/dalga, to compare builds.
 */
export async function startDaemon({ store, endpoint, env = {}, nodeArgs = [], startTimeoutMs = 60_000, bin = DALGA_BIN }) {
  const args = [...nodeArgs, bin, 'serve', '--listen-port', '0', '--listen-host', '127.0.0.1', '--endpoint', endpoint];
  // BENCH_DAEMON_STDOUT=DIR keeps each daemon's stdout (e.g. node's --trace-gc-nvp lines) in
  // DIR/daemon-<n>.out.
  const stdoutDir = process.env.BENCH_DAEMON_STDOUT;
  const stdout = stdoutDir ? openSync(join(stdoutDir, `daemon-${process.pid}-${++daemonsStarted}.out`), 'w') : 'ignore';
  const child = spawnTracked(process.execPath, args, {
    env: storeEnv(store, { DALGA_LOG_LEVEL: 'info', ...env }),
    stdio: ['ignore', stdout, 'pipe'],
  });
  if (typeof stdout === 'number') closeSync(stdout);
  let stderr = '';
  child.stderr.setEncoding('utf8');
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`dalga serve did not listen within ${startTimeoutMs} ms:\n${stderr}`)), startTimeoutMs);
    child.stderr.on('data', (chunk) => {
      // Keep only the tail: a long drain must not grow this without bound.
      stderr = (stderr + chunk).slice(-20_000);
      const match = /"url":"(http:\/\/[^"]+)"/.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve(match[1].replace(/\/$/, ''));
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`dalga serve exited (${code ?? signal}) before listening:\n${stderr}`));
    });
  });
  return {
    url,
    pid: child.pid,
    stderr: () => stderr,
    rss: () => readRss(child.pid),
    rssAnon: () => readRssAnon(child.pid),
    cpuMs: () => readCpuMs(child.pid),
    stop: () => stopChild(child, 15_000),
  };
}
