// footprint: what an idle daemon holds. A fresh daemon on an empty table (tables created by the
// daemon itself), VmRSS 2 s after it logged its URL; and, with --soak-minutes, the same daemon
// sampled every 10 s for that long (the hour-long idle soak is run by hand, once).
import { startDaemon } from './lib/daemon.js';
import { sleep } from './lib/proc.js';
import { freshStore } from './lib/store.js';

const MB = 2 ** 20;

export async function footprintRun({ kind, endpoint, runTag, log, nodeArgs = [], bin, label = kind }) {
  const store = await freshStore(kind, `idle_${runTag}`, { create: false });
  let daemon;
  try {
    daemon = await startDaemon({ store, endpoint: endpoint.baseUrl, nodeArgs, ...(bin ? { bin } : {}) });
    await sleep(2000);
    const rss = await daemon.rss();
    const rssAnon = await daemon.rssAnon();
    log(`  footprint ${label}: RSS ${(rss / MB).toFixed(1)} MB 2 s after start, of which private (RssAnon) ${(rssAnon / MB).toFixed(1)} MB`);
    return { rss, rssAnon };
  } finally {
    await daemon?.stop();
    await store.drop();
  }
}

export async function soakRun({ kind, endpoint, minutes, log, nodeArgs = [] }) {
  const store = await freshStore(kind, 'soak', { create: false });
  let daemon;
  try {
    daemon = await startDaemon({ store, endpoint: endpoint.baseUrl, nodeArgs });
    const until = Date.now() + minutes * 60_000;
    let maxRss = 0;
    let endRss = 0;
    let next = Date.now();
    while (Date.now() < until) {
      endRss = await daemon.rss();
      maxRss = Math.max(maxRss, endRss);
      next += 10_000;
      await sleep(Math.max(0, Math.min(next, until) - Date.now()));
    }
    endRss = await daemon.rss();
    maxRss = Math.max(maxRss, endRss);
    log(`  soak ${kind}, ${minutes} min idle: RSS highest ${(maxRss / MB).toFixed(1)} MB, at the end ${(endRss / MB).toFixed(1)} MB`);
    return { maxRss, endRss };
  } finally {
    await daemon?.stop();
    await store.drop();
  }
}
