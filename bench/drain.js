// drain: N one-off jobs already due are loaded into the table (SQL, before any daemon runs), then
// 1 or 3 daemons start and deliver them. Figure: jobs/s from the first to the last POST received
// by the endpoint. Every run checks that each job arrived exactly once and the table is empty
// afterwards (one-off jobs are deleted after a 200).
// A run is bounded by `budgetMs`: when the daemons are too slow to deliver all N in it, they
// are stopped gracefully, the rate is taken over what arrived, and the check becomes "every job
// arrived at most once, and delivered + still in the table = N" (nothing lost).
import { startDaemon } from './lib/daemon.js';
import { readCpuMs, sleep } from './lib/proc.js';
import { freshStore, mysqlServer } from './lib/store.js';

/** Give up when no new POST arrived for this long. */
const STALL_MS = 30_000;

export async function drainRun({ kind, n, instances, budgetMs, endpoint, runTag, log, nodeArgs = [], env = {}, bin, label = kind }) {
  const store = await freshStore(kind, `drain_${runTag}`, { bin });
  const daemons = [];
  try {
    const now = Date.now();
    // Due between 10 s + N ms ago and 10 s ago, in index order.
    await store.insert(0, n, (i) => ['drain', String(i), 'P0D', '', now - 10_000 - n + i, now - 10_000 - n + i]);
    await endpoint.reset(n);
    const started = await Promise.all(Array.from({ length: instances }, () => startDaemon({ store, endpoint: endpoint.baseUrl, nodeArgs, env, ...(bin ? { bin } : {}) })));
    daemons.push(...started);
    const dbBefore = kind === 'mysql' ? await mariadbFigures() : undefined;
    const cpuBefore = await cpuOf(daemons, endpoint);
    const { stats: measured, peakRss, complete } = await waitForAll(endpoint, n, daemons, budgetMs);
    const cpuAfter = await cpuOf(daemons, endpoint);
    const dbAfter = kind === 'mysql' ? await mariadbFigures() : undefined;
    // CPU per delivered job, daemons together and endpoint: where the machine's time goes.
    const daemonCpuPerJob = (cpuAfter.daemons - cpuBefore.daemons) / measured.received;
    const endpointCpuPerJob = (cpuAfter.endpoint - cpuBefore.endpoint) / measured.received;
    if (!complete) await Promise.all(daemons.map((d) => d.stop()));
    if (process.env.BENCH_DAEMON_STDERR) for (const d of daemons) process.stderr.write(d.stderr().split('\n').filter((l) => !l.startsWith('{')).join('\n'));
    const left = await waitForCount(store, complete ? 0 : n - (await endpoint.stats()).received);
    // Stopping lets running deliveries finish: count those too for the exactly-once check.
    const stats = complete ? measured : await endpoint.stats();
    const seconds = (measured.lastAt - measured.firstAt) / 1000;
    const rate = seconds > 0 ? (measured.received - 1) / seconds : Number.NaN;
    const problems = [];
    if (stats.duplicates) problems.push(`${stats.duplicates} delivered more than once`);
    if (stats.outOfRange) problems.push(`${stats.outOfRange} unknown bodies`);
    if (stats.received + left !== n) problems.push(`${stats.received} delivered + ${left} left in the table ≠ ${n}`);
    const spread = Object.values(stats.byInstance);
    // Several instances: how late each one's first POST came after the first of all (start-up),
    // and what the database did per job (its CPU; InnoDB row-lock waits: contention).
    const firstAt = Math.min(...Object.values(stats.firstByInstance));
    const startLagMs = Object.values(stats.firstByInstance).map((t) => Math.round(t - firstAt));
    const db = dbBefore && dbAfter ? {
      cpuPerJob: (dbAfter.cpuMs - dbBefore.cpuMs) / measured.received,
      lockWaits: dbAfter.lockWaits - dbBefore.lockWaits,
      lockWaitMs: dbAfter.lockTimeMs - dbBefore.lockTimeMs,
      statementsPerJob: (dbAfter.statements - dbBefore.statements) / measured.received,
    } : undefined;
    const partial = complete ? '' : ` (PARTIAL: ${measured.received.toLocaleString('en')} of ${n.toLocaleString('en')} within the ${budgetMs / 1000} s budget)`;
    log(
      `  drain ${label} n=${n} x${instances}: ${rate.toFixed(0)} jobs/s over ${seconds.toFixed(2)} s${partial}, ` +
        `CPU/job: daemon ${daemonCpuPerJob.toFixed(2)} ms, endpoint ${endpointCpuPerJob.toFixed(2)} ms, ` +
        (db ? `mariadbd ${db.cpuPerJob.toFixed(2)} ms, ${db.statementsPerJob.toFixed(3)} statements/job, row-lock waits ${db.lockWaits} (${db.lockWaitMs} ms), ` : '') +
        `peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MB, per instance [${spread.join(', ')}]` +
        (instances > 1 ? `, first POST of each after the first [${startLagMs.join(', ')}] ms` : '') +
        (problems.length ? ` — PROBLEMS: ${problems.join('; ')}` : ''),
    );
    return { rate, seconds, peakRss, problems, perInstance: spread, delivered: measured.received, complete, daemonCpuPerJob, endpointCpuPerJob, startLagMs, db };
  } finally {
    await Promise.all(daemons.map((d) => d.stop()));
    await store.drop();
  }
}

/** mariadbd's CPU time so far and InnoDB's row-lock wait counters (server-wide). */
async function mariadbFigures() {
  const { execFileSync } = await import('node:child_process');
  let cpuMs = Number.NaN;
  try {
    const pid = execFileSync('pidof', ['mariadbd'], { encoding: 'utf8' }).trim().split(' ')[0];
    cpuMs = await readCpuMs(Number(pid));
  } catch {
    // Not on this machine's process table (a container, another host): CPU unknown.
  }
  const conn = await mysqlServer();
  try {
    const [rows] = await conn.query("SHOW GLOBAL STATUS WHERE Variable_name IN ('Innodb_row_lock_waits', 'Innodb_row_lock_time', 'Questions')");
    const value = (name) => Number(rows.find((r) => r.Variable_name === name)?.Value ?? Number.NaN);
    // Questions: statements the server was sent (executes of prepared ones included): round trips.
    return { cpuMs, lockWaits: value('Innodb_row_lock_waits'), lockTimeMs: value('Innodb_row_lock_time'), statements: value('Questions') };
  } finally {
    await conn.end();
  }
}

async function cpuOf(daemons, endpoint) {
  const each = await Promise.all(daemons.map((d) => d.cpuMs()));
  return { daemons: each.reduce((a, b) => a + b, 0), endpoint: await endpoint.cpuMs() };
}

/**
 * Poll the endpoint until all N arrived, the budget is spent, or nothing arrives for STALL_MS;
 * sample the daemons' RSS meanwhile.
 */
async function waitForAll(endpoint, n, daemons, budgetMs) {
  const deadline = Date.now() + budgetMs;
  let peakRss = 0;
  let lastCount = -1;
  let lastProgress = Date.now();
  for (;;) {
    const rss = await Promise.all(daemons.map((d) => d.rss()));
    peakRss = Math.max(peakRss, ...rss.filter(Number.isFinite));
    const stats = await endpoint.stats();
    if (stats.received >= n) {
      // A short grace period, so that a duplicate sent right after the last job is counted.
      await sleep(300);
      return { stats: await endpoint.stats(), peakRss, complete: true };
    }
    if (stats.received !== lastCount) {
      lastCount = stats.received;
      lastProgress = Date.now();
    }
    if (Date.now() > deadline || Date.now() - lastProgress > STALL_MS) return { stats, peakRss, complete: false };
    await sleep(100);
  }
}

/** Outcomes are recorded after the POSTs: wait (bounded) until the table holds `expected` rows. */
async function waitForCount(store, expected) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const left = await store.count();
    if (left <= expected || Date.now() > deadline) return left;
    await sleep(200);
  }
}
