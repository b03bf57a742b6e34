// Side by side with the original Go Dalga (`npm run bench -- --vs-go [path]`): the drain,
// lateness and API benchmarks on MariaDB against both servers in one run, interleaved
// (A B B A A B …) so that the machine's noise falls on both alike, with the same endpoint
// process and the same way of putting jobs in — each server's own HTTP API, at the same
// concurrency. Every run starts a fresh server on a fresh table.
import { apiAgainst } from './api.js';
import { startDaemon } from './lib/daemon.js';
import { dropTable, startGoDalga } from './lib/go-dalga.js';
import { call, inParallel, putOneOff } from './lib/http.js';
import { sleep } from './lib/proc.js';
import { collectLateness } from './lib/stats.js';
import { freshStore } from './lib/store.js';

/** Concurrent PUTs while loading jobs: the same for both servers. */
const PUT_CONCURRENCY = 16;
const MB = 2 ** 20;

/** The two systems: `start(tag, endpoint)` answers a running server with url, rss, cpuMs, stop. */
export function systems(goBin, nodeArgs) {
  return {
    dalga: {
      label: 'dalga',
      async start(tag, endpoint) {
        const store = await freshStore('mysql', `vs_dalga_${tag}`, { create: false });
        const daemon = await startDaemon({ store, endpoint: endpoint.baseUrl, nodeArgs });
        return { ...daemon, stop: async () => (await daemon.stop(), await store.drop()) };
      },
    },
    go: {
      label: 'Go Dalga',
      async start(tag, endpoint) {
        const table = `vs_go_${tag}`;
        const server = await startGoDalga({ bin: goBin, table, endpoint: endpoint.baseUrl });
        return { ...server, stop: async () => (await server.stop(), await dropTable(table)) };
      },
    },
  };
}

/** Run order A B B A A B …: run i of both systems, the first of the pair alternating. */
export function interleaved(runs, [a, b]) {
  const order = [];
  for (let i = 0; i < runs; i++) order.push(...(i % 2 === 0 ? [[a, i], [b, i]] : [[b, i], [a, i]]));
  return order;
}

/** VmRSS 2 s after the server answered (or started listening): its idle footprint. */
async function idleRss(server) {
  await sleep(2000);
  return server.rss();
}

/**
 * n one-off jobs PUT through the server's API, all due at one instant T far enough ahead that
 * every PUT is in before T (estimated from a first timed batch); from T on the server drains
 * them. Figures: jobs/s from the first to the last POST received, peak RSS from T to the last
 * POST, server CPU per job, and the server's idle RSS before anything was PUT.
 */
export async function apiDrainRun({ system, n, endpoint, tag, log, budgetMs }) {
  const server = await system.start(tag, endpoint);
  try {
    const idle = await idleRss(server);
    await endpoint.reset(n);
    // Timed probe: PUTs due in an hour (2 % of n, 500 to 2,000), deleted again, give the PUT rate
    // of this server now; the due instant is set from it with a margin, and a run whose PUTs
    // overran it says so.
    const probe = Math.min(n, Math.max(500, Math.min(2000, Math.round(n / 50))));
    const far = Date.now() + 3_600_000;
    const probeStarted = Date.now();
    await inParallel(probe, PUT_CONCURRENCY, (i) => putOneOff(server.url, 'probe', String(i), far));
    const putRate = probe / Math.max(0.001, (Date.now() - probeStarted) / 1000);
    await inParallel(probe, PUT_CONCURRENCY, async (i) => {
      const r = await call('DELETE', `${server.url}/jobs/probe/${i}`);
      if (r.status !== 204) throw new Error(`DELETE probe/${i} answered ${r.status}`);
    });
    const leadMs = Math.round((1.25 * n) / putRate * 1000) + 2000;
    const due = Date.now() + leadMs;
    await inParallel(n, PUT_CONCURRENCY, (i) => putOneOff(server.url, 'drain', String(i), due));
    const overran = Date.now() >= due;
    if (overran) log(`  warning: ${system.label}: PUTting ${n} jobs took longer than the ${leadMs} ms lead; the drain started before all were in`);
    while (Date.now() < due - 20) await sleep(Math.min(200, due - Date.now()));
    const cpuBefore = await server.cpuMs();
    const deadline = Date.now() + budgetMs;
    let peakRss = 0;
    let stats;
    for (;;) {
      peakRss = Math.max(peakRss, (await server.rss()) || 0);
      stats = await endpoint.stats();
      if (stats.received >= n || Date.now() > deadline) break;
      await sleep(100);
    }
    await sleep(300);
    stats = await endpoint.stats();
    const cpuAfter = await server.cpuMs();
    const seconds = (stats.lastAt - stats.firstAt) / 1000;
    const rate = seconds > 0 ? (stats.received - 1) / seconds : Number.NaN;
    const cpuPerJob = (cpuAfter - cpuBefore) / stats.received;
    const problems = [];
    if (stats.received < n) problems.push(`${n - stats.received} of ${n} not delivered within ${budgetMs / 1000} s`);
    if (stats.duplicates) problems.push(`${stats.duplicates} delivered more than once`);
    if (stats.outOfRange) problems.push(`${stats.outOfRange} unknown bodies`);
    log(
      `  ${system.label.padEnd(8)} drain ${n}: ${rate.toFixed(0)} jobs/s over ${seconds.toFixed(2)} s, CPU/job ${cpuPerJob.toFixed(2)} ms, ` +
        `RSS idle ${(idle / MB).toFixed(0)} MB, peak ${(peakRss / MB).toFixed(0)} MB (PUTs at ${putRate.toFixed(0)}/s, lead ${leadMs} ms)` +
        (problems.length ? ` — PROBLEMS: ${problems.join('; ')}` : ''),
    );
    return { rate, seconds, cpuPerJob, peakRss, idleRss: idle, overran, problems };
  } finally {
    await server.stop();
  }
}

/**
 * `count` one-off jobs PUT through the API, due at whole seconds spread over `spreadMs` (Go
 * Dalga keeps whole seconds: its `dalga-sched` header has none) starting `leadMs` ahead.
 * Lateness: arrival at the endpoint minus the `dalga-sched` header.
 */
export async function apiLatenessRun({ system, count, spreadMs, leadMs, settleMs, endpoint, tag, log }) {
  const server = await system.start(tag, endpoint);
  try {
    await endpoint.reset(count, { lateness: true });
    await sleep(settleMs);
    const start = Date.now() + leadMs;
    const step = spreadMs / count;
    await inParallel(count, 4, (i) => putOneOff(server.url, 'late', String(i), Math.ceil((start + i * step) / 1000) * 1000));
    if (Date.now() >= start) log(`  warning: ${system.label}: scheduling took longer than the lead time`);
    const result = await collectLateness(endpoint, count, start + spreadMs);
    log(
      `  ${system.label.padEnd(8)} lateness: p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms, max ${result.max.toFixed(1)} ms` +
        (result.problems.length ? ` — PROBLEMS: ${result.problems.join('; ')}` : ''),
    );
    return result;
  } finally {
    await server.stop();
  }
}

/** autocannon PUT then GET against the server (bench/api.js), on a server of either system. */
export async function apiThroughputRun({ system, seconds, warmupSeconds, endpoint, tag, log }) {
  const server = await system.start(tag, endpoint);
  try {
    return await apiAgainst(server.url, { seconds, warmupSeconds, label: `${system.label.padEnd(8)} api`, log });
  } finally {
    await server.stop();
  }
}

/**
 * One side-by-side row: { what, unit, higherIsBetter, dalga: number[], go: number[], digits }.
 * `ratio` is dalga ÷ Go of the medians; `better` says who is ahead and by how much.
 */
export function pairRow(what, unit, higherIsBetter, dalga, go, digits = 0) {
  return { what, unit, higherIsBetter, dalga, go, digits };
}
