// Runs a build of the original Go Dalga (e.g. ../shared/reference/dalga-go-v3) for the
// side-by-side benchmarks: its own table in the bench's MariaDB database, created with its own
// `-create-tables`, configured with the reference launcher's flags (see
// ../shared/reference/README.md), on a free loopback port. Stopped with SIGTERM, as Go Dalga
// expects; its table is dropped afterwards.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { createServer } from 'node:net';
import { call } from './http.js';
import { readCpuMs, readRss, readRssAnon, sleep, spawnTracked, stopChild } from './proc.js';
import { MYSQL, MYSQL_DB, mysqlServer } from './store.js';

/** The flags every Go Dalga process of the bench gets besides its port and endpoint. */
function commonFlags(table) {
  return [
    '-mysql-host', MYSQL.host,
    '-mysql-port', String(MYSQL.port),
    '-mysql-user', MYSQL.user,
    '-mysql-password', MYSQL.password,
    '-db', MYSQL_DB,
    '-table', table,
    // MariaDB before 11.1 has no transaction_isolation variable.
    '-tx-isolation-param', 'tx_isolation',
  ];
}

/**
 * Names the build: the reference launchers have no -version flag, so the file's name and the
 * start of its SHA-256; `-h` must list the launcher's flags, or this is not such a build.
 */
export function goDalgaVersion(bin) {
  const help = spawnSync(bin, ['-h'], { encoding: 'utf8', timeout: 10_000 });
  if (help.error) throw new Error(`cannot run Go Dalga at ${bin}: ${help.error.message}`);
  if (!`${help.stderr}${help.stdout}`.includes('-tx-isolation-param')) {
    throw new Error(`${bin} does not take the reference launcher's flags (-db, -table, -tx-isolation-param …); see ../shared/reference/README.md`);
  }
  const sha = createHash('sha256').update(readFileSync(bin)).digest('hex').slice(0, 12);
  return `${basename(bin)}, sha256 ${sha}`;
}

/**
 * Creates `table` (and drops what an earlier run left), starts Go Dalga on it and resolves when
 * its API answers. Answers the same shape as lib/daemon.js's startDaemon, plus `drop()`.
 */
export async function startGoDalga({ bin, table, endpoint, startTimeoutMs = 30_000 }) {
  await dropTable(table);
  // -create-tables binds the listen port too: never the default 34006, which another Go Dalga
  // on the machine may hold.
  const createPort = await freePort();
  const created = spawnSync(bin, [...commonFlags(table), '-listen-host', '127.0.0.1', '-listen-port', String(createPort), '-create-tables'], { encoding: 'utf8', timeout: 60_000 });
  if (created.status !== 0) throw new Error(`Go Dalga -create-tables failed (${created.status}):\n${created.stderr}${created.stdout}`);
  const port = await freePort();
  const child = spawnTracked(bin, [...commonFlags(table), '-listen-host', '127.0.0.1', '-listen-port', String(port), '-baseurl', endpoint], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-20_000);
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + startTimeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Go Dalga exited (${child.exitCode}) before answering:\n${stderr}`);
    const ok = await call('GET', `${url}/status`).then((r) => r.status === 200, () => false);
    if (ok) break;
    if (Date.now() > deadline) {
      await stopChild(child, 2000);
      throw new Error(`Go Dalga did not answer on ${url} within ${startTimeoutMs} ms:\n${stderr}`);
    }
    await sleep(50);
  }
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

export async function dropTable(table) {
  const conn = await mysqlServer();
  try {
    await conn.query(`DROP TABLE IF EXISTS \`${MYSQL_DB}\`.\`${table}\``);
    await conn.query(`DROP TABLE IF EXISTS \`${MYSQL_DB}\`.\`${table}_instances\``);
  } finally {
    await conn.end();
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}
