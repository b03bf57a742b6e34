// drain: N one-off jobs already due are loaded into the table (SQL, before any daemon runs), then
// 1 or 3 daemons start and deliver them. Figure: jobs/s from the first to the last POST received
// by the endpoint. Every run checks that each job arrived exactly once and the table is empty
// afterwards (one-off jobs are deleted after a 200).
import { startDaemon } from './lib/daemon.js';
import { sleep } from './lib/proc.js';
import { freshStore } from './lib/store.js';

/** Give up when no new POST arrived for this long. */
const STALL_MS = 30_000;

export async function drainRun({ kind, n, instances, endpoint, runTag, log, nodeArgs = [] }) {
  const store = await freshStore(kind, `drain_${runTag}`);
  const daemons = [];
  try {
    const now = Date.now();
    // Due between 10 s + N ms ago and 10 s ago, in index order.
    await store.insert(0, n, (i) => ['drain', String(i), 'P0D', '', now - 10_000 - n + i, now - 10_000 - n + i]);
    await endpoint.reset(n);
    const started = await Promise.all(Array.from({ length: instances }, () => startDaemon({ store, endpoint: endpoint.baseUrl, nodeArgs })));
    daemons.push(...started);
    const { stats, peakRss } = await waitForAll(endpoint, n, daemons);
    const left = await waitForEmpty(store);
    const seconds = (stats.lastAt - stats.firstAt) / 1000;
    const rate = seconds > 0 ? (stats.received - 1) / seconds : Number.NaN;
    const problems = [];
    if (stats.received < n) problems.push(`${n - stats.received} of ${n} never arrived (stalled)`);
    if (stats.duplicates) problems.push(`${stats.duplicates} delivered more than once`);
    if (stats.missing) problems.push(`${stats.missing} missing`);
    if (stats.outOfRange) problems.push(`${stats.outOfRange} unknown bodies`);
    if (left) problems.push(`${left} rows left in the table`);
    const spread = Object.values(stats.byInstance);
    log(
      `  drain ${kind} n=${n} x${instances}: ${rate.toFixed(0)} jobs/s over ${seconds.toFixed(2)} s, ` +
        `peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MB, per instance [${spread.join(', ')}]` +
        (problems.length ? ` — PROBLEMS: ${problems.join('; ')}` : ''),
    );
    return { rate, seconds, peakRss, problems, perInstance: spread };
  } finally {
    await Promise.all(daemons.map((d) => d.stop()));
    await store.drop();
  }
}

/** Poll the endpoint until all N arrived (or nothing arrives for STALL_MS); sample daemon RSS meanwhile. */
async function waitForAll(endpoint, n, daemons) {
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
      return { stats: await endpoint.stats(), peakRss };
    }
    if (stats.received !== lastCount) {
      lastCount = stats.received;
      lastProgress = Date.now();
    } else if (Date.now() - lastProgress > STALL_MS) {
      return { stats, peakRss };
    }
    await sleep(100);
  }
}

/** The daemons record outcomes after the POSTs; wait (bounded) until the table is empty. */
async function waitForEmpty(store) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const left = await store.count();
    if (left === 0 || Date.now() > deadline) return left;
    await sleep(200);
  }
}
