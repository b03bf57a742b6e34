// API throughput: autocannon at 16 connections against one daemon, first PUT (each request a new
// job, interval one hour so that nothing fires meanwhile), then GET of the jobs just created.
// Figures per run: requests/s (mean over the run) and p99 latency; any non-2xx answer is reported.
import autocannon from 'autocannon';
import { startDaemon } from './lib/daemon.js';
import { freshStore } from './lib/store.js';

const CONNECTIONS = 16;

export async function apiRun({ kind, seconds, warmupSeconds, endpoint, runTag, log, nodeArgs = [] }) {
  const store = await freshStore(kind, `api_${runTag}`, { create: false });
  let daemon;
  try {
    daemon = await startDaemon({ store, endpoint: endpoint.baseUrl, nodeArgs });
    return await apiAgainst(daemon.url, { seconds, warmupSeconds, label: `api ${kind}`, log });
  } finally {
    await daemon?.stop();
    await store.drop();
  }
}

/** PUT then GET phases against a running server at `url` (dalga or Go Dalga: the same API). */
export async function apiAgainst(url, { seconds, warmupSeconds, label, log }) {
  let created = 0;
  // Only the jobs whose PUT was answered 201: requests still in flight when a phase ends are cut.
  const stored = [];
  const put = {
    method: 'PUT',
    setupRequest: (req, context) => {
      context.job = created++;
      return { ...req, path: `/jobs/api/${context.job}?interval=PT1H` };
    },
    onResponse: (status, _body, context) => {
      if (status === 201) stored.push(context.job);
    },
  };
  // Warm-up (JIT, connection pools), not measured.
  if (warmupSeconds) await cannon(url, put, warmupSeconds);
  const puts = await cannon(url, put, seconds);
  let n = 0;
  const get = { method: 'GET', setupRequest: (req) => ({ ...req, path: `/jobs/api/${stored[(n++ * 7919) % stored.length]}` }) };
  if (warmupSeconds) await cannon(url, get, warmupSeconds);
  const gets = await cannon(url, get, seconds);
  const result = { put: figures(puts), get: figures(gets), problems: [] };
  for (const [name, r] of [['PUT', puts], ['GET', gets]]) {
    if (r.non2xx || r.errors || r.timeouts) result.problems.push(`${name}: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts`);
  }
  log(
    `  ${label}: PUT ${result.put.rps.toFixed(0)}/s p99 ${result.put.p99} ms; GET ${result.get.rps.toFixed(0)}/s p99 ${result.get.p99} ms` +
      (result.problems.length ? ` — PROBLEMS: ${result.problems.join('; ')}` : ''),
  );
  return result;
}

function cannon(url, request, duration) {
  return autocannon({ url, connections: CONNECTIONS, pipelining: 1, duration, requests: [request] });
}

function figures(r) {
  return { rps: r.requests.average, p99: r.latency.p99, p50: r.latency.p50 };
}
