// scale: the same measurements on a table of `size` jobs (1,000 and 1,000,000), all in the
// future (periodic, next_run spread over the next ~28 hours), loaded with SQL before the daemon
// starts.
// - claim: a batch of 100 one-off jobs is PUT through the API, all due at the same instant
//   a moment ahead; the figure is the time from that instant to the arrival of the LAST of the 100
//   POSTs. It covers waking up, the claim query(ies) over the big table, delivery and the
//   endpoint, so it is what a user sees; the part that depends on table size is the claim.
// - first page: GET /jobs?sort-by=next-run&limit=100, sequential requests, median latency.
// - status: GET /status, sequential requests, median latency (COUNTs over the whole table).
// - RSS (VmRSS) of the daemon when idle, and its peak while the batches are delivered.
import { startDaemon } from './lib/daemon.js';
import { call, inParallel, putOneOff } from './lib/http.js';
import { sleep } from './lib/proc.js';
import { median, percentile } from './lib/stats.js';
import { freshStore } from './lib/store.js';

const BATCH = 100;

/**
 * A table of `size` future jobs, loaded once and shared by the runs (each run leaves it as it
 * found it: its one-off batches are deleted when delivered). Drop it with `.drop()`.
 */
export async function scaleTable(kind, size) {
  const store = await freshStore(kind, `scale_${size}`);
  const now = Date.now();
  const started = Date.now();
  // Start an hour ahead, 100 ms apart: never due during the runs.
  await store.insert(0, size, (i) => ['scale', String(i), 'P1D', '', now + 3_600_000 + i * 100, now + 3_600_000 + i * 100]);
  store.loadSeconds = (Date.now() - started) / 1000;
  return store;
}

export async function scaleRun({ store, size, reps, warmup, pages, leadMs, settleMs, endpoint, log, nodeArgs = [] }) {
  const { kind, loadSeconds } = store;
  let daemon;
  try {
    const bootStarted = Date.now();
    daemon = await startDaemon({ store, endpoint: endpoint.baseUrl, nodeArgs });
    const bootMs = Date.now() - bootStarted;
    await sleep(settleMs);
    const idleRss = await daemon.rss();

    const page = [];
    for (let i = 0; i < warmup + pages; i++) {
      const r = await call('GET', `${daemon.url}/jobs?sort-by=next-run&limit=100`);
      if (r.status !== 200 || JSON.parse(r.text).jobs?.length !== 100) throw new Error(`first page: ${r.status} ${r.text.slice(0, 200)}`);
      if (i >= warmup) page.push(r.ms);
    }
    const status = [];
    for (let i = 0; i < warmup + pages; i++) {
      const r = await call('GET', `${daemon.url}/status`);
      if (r.status !== 200) throw new Error(`status: ${r.status} ${r.text.slice(0, 200)}`);
      if (i >= warmup) status.push(r.ms);
    }

    const claims = [];
    let peakRss = idleRss;
    // Rep 0 is a warm-up, not counted: it also measures how long PUTting a batch takes, so that
    // the due instant of the counted batches is far enough ahead for all 100 to be in the table.
    let lead = leadMs;
    for (let rep = 0; rep <= reps; rep++) {
      await endpoint.reset(BATCH, { lateness: true });
      const putStarted = Date.now();
      const due = putStarted + lead;
      await inParallel(BATCH, 16, (i) => putOneOff(daemon.url, 'claim', String(i), due));
      const putMs = Date.now() - putStarted;
      lead = Math.max(lead, 2 * putMs + 200);
      if (rep > 0 && Date.now() > due) log(`  warning: PUTting the batch took ${putMs} ms, longer than the lead; this claim figure is inflated`);
      for (;;) {
        peakRss = Math.max(peakRss, await daemon.rss());
        const stats = await endpoint.stats();
        if (stats.received >= BATCH) {
          if (rep > 0) claims.push(Math.max(...stats.lateness));
          break;
        }
        if (Date.now() > due + 30_000) throw new Error(`claim batch: only ${stats.received} of ${BATCH} arrived`);
        await sleep(20);
      }
      await sleep(300);
    }
    const result = {
      loadSeconds,
      bootMs,
      idleRss,
      peakRss,
      claim: median(claims),
      claims,
      page: median(page),
      pageP99: percentile(page, 99),
      status: median(status),
    };
    log(
      `  scale ${kind} ${size.toLocaleString('en')} jobs: load ${loadSeconds.toFixed(1)} s, boot ${bootMs} ms, ` +
        `claim batch ${result.claim.toFixed(1)} ms [${claims.map((c) => c.toFixed(0)).join(', ')}], ` +
        `first page ${result.page.toFixed(2)} ms (p99 ${result.pageP99.toFixed(2)}), status ${result.status.toFixed(1)} ms, ` +
        `RSS idle ${(idleRss / 2 ** 20).toFixed(0)} MB, peak ${(peakRss / 2 ** 20).toFixed(0)} MB`,
    );
    return result;
  } finally {
    await daemon?.stop();
  }
}
