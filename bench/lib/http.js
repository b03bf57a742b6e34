// Plain HTTP calls to the daemon's API (undici's global fetch, loopback only).
import { performance } from 'node:perf_hooks';

/** One request; answers { status, text, ms }. Throws only on network errors. */
export async function call(method, url) {
  const started = performance.now();
  const res = await fetch(url, { method });
  const text = await res.text();
  return { status: res.status, text, ms: performance.now() - started };
}

/** Run `task(i)` for i in 0..count-1 with at most `concurrency` at once. */
export async function inParallel(count, concurrency, task) {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

/** PUT a one-off job (path, body) due at `at` (epoch ms); throws unless 201. */
/**
 * A cron job (6 fields, UTC) whose one match in the coming year is the whole second `at`: it
 * fires like a one-off, through the cron path (the lateness bench mixes these in).
 */
export async function putCronAt(apiUrl, path, body, at) {
  const d = new Date(at);
  const expr = `${d.getUTCSeconds()} ${d.getUTCMinutes()} ${d.getUTCHours()} ${d.getUTCDate()} ${d.getUTCMonth() + 1} *`;
  const url = `${apiUrl}/jobs/${encodeURIComponent(path)}/${encodeURIComponent(body)}?cron=${encodeURIComponent(expr)}`;
  const res = await call('PUT', url);
  if (res.status !== 201) throw new Error(`PUT ${url} answered ${res.status}: ${res.text.slice(0, 200)}`);
}

export async function putOneOff(apiUrl, path, body, at) {
  const firstRun = new Date(at).toISOString();
  const url = `${apiUrl}/jobs/${encodeURIComponent(path)}/${encodeURIComponent(body)}?one-off=true&first-run=${encodeURIComponent(firstRun)}`;
  const res = await call('PUT', url);
  if (res.status !== 201) throw new Error(`PUT ${url} answered ${res.status}: ${res.text.slice(0, 200)}`);
}
