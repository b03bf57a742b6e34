// firing lateness: an idle daemon gets `count` jobs through the API, with first-run spread
// evenly over `spreadMs` starting a few seconds ahead; every fourth is a cron job due at a whole
// second (the cron path: parsing, zone mapping, next occurrence), the others one-off jobs. For each POST the endpoint takes
// arrival time minus the `dalga-sched` header (the intended instant). Per run: p50, p99, max,
// and min (a negative value would mean a job fired early: a correctness problem, reported).
import { startDaemon } from './lib/daemon.js';
import { inParallel, putCronAt, putOneOff } from './lib/http.js';
import { sleep } from './lib/proc.js';
import { collectLateness } from './lib/stats.js';
import { freshStore } from './lib/store.js';

// With `instances` > 1 the daemons share the table and the jobs are PUT to them in turn, so an
// instance often fires a job another one scheduled (on PostgreSQL it hears of it by NOTIFY).
export async function latenessRun({ kind, count, spreadMs, leadMs, settleMs, endpoint, runTag, log, nodeArgs = [], instances = 1 }) {
  const store = await freshStore(kind, `late_${runTag}`, { create: instances > 1 });
  const daemons = [];
  try {
    for (let i = 0; i < instances; i++) daemons.push(await startDaemon({ store, endpoint: endpoint.baseUrl, nodeArgs }));
    await endpoint.reset(count, { lateness: true });
    // Let the daemon settle (first heartbeat, first scan) so that it is idle when jobs fall due.
    await sleep(settleMs);
    const start = Date.now() + leadMs;
    const step = spreadMs / count;
    const put = (i) => {
      const url = daemons[i % instances].url;
      const at = Math.round(start + i * step);
      return i % 4 === 3 ? putCronAt(url, 'late', String(i), Math.ceil(at / 1000) * 1000) : putOneOff(url, 'late', String(i), at);
    };
    await inParallel(count, 4, put);
    if (Date.now() >= start) log('  warning: scheduling took longer than the lead time; the first jobs were due before all were in');
    const result = await collectLateness(endpoint, count, start + spreadMs);
    log(
      `  lateness ${kind} x${instances}: p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms, max ${result.max.toFixed(1)} ms, min ${result.min.toFixed(1)} ms` +
        (result.problems.length ? ` — PROBLEMS: ${result.problems.join('; ')}` : ''),
    );
    return result;
  } finally {
    await Promise.all(daemons.map((d) => d.stop()));
    await store.drop();
  }
}
