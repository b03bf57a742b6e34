import { sleep } from './proc.js';

// Small statistics helpers. Every figure in the report is a median of runs with its min–max spread.

/** Sorted copy, numbers ascending. */
export function sorted(values) {
  return [...values].sort((a, b) => a - b);
}

/** Nearest-rank percentile (p in 0..100) of an array of numbers; NaN when empty. */
export function percentile(values, p) {
  if (values.length === 0) return Number.NaN;
  const s = sorted(values);
  const rank = Math.ceil((p / 100) * s.length);
  return s[Math.min(s.length - 1, Math.max(0, rank - 1))];
}

export function median(values) {
  if (values.length === 0) return Number.NaN;
  const s = sorted(values);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** { median, min, max, runs } of the per-run figures. */
export function summarize(values) {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, runs: values.length };
  return { median: median(finite), min: Math.min(...finite), max: Math.max(...finite), runs: values.length };
}

/**
 * Waits until `count` POSTs arrived at the endpoint (or the last job is 15 s overdue), then
 * judges their lateness: p50, p99, max, min, and the problems (missing, duplicates, early).
 * The daemon times jobs with Date.now() (whole ms; with MySQL, the database's clock as it
 * estimates it) and the endpoint stamps arrivals with performance.timeOrigin + now(), which
 * drifts from Date.now() by a few tenths of a ms: only more than 1 ms early is early.
 */
export async function collectLateness(endpoint, count, lastDueAt) {
  const deadline = lastDueAt + 15_000;
  let stats = await endpoint.stats();
  while (stats.received < count && Date.now() < deadline) {
    await sleep(200);
    stats = await endpoint.stats();
  }
  await sleep(300);
  stats = await endpoint.stats();
  const late = stats.lateness;
  const result = { p50: percentile(late, 50), p99: percentile(late, 99), max: Math.max(...late), min: Math.min(...late), problems: [] };
  if (stats.received < count) result.problems.push(`${count - stats.received} of ${count} never arrived`);
  if (stats.duplicates) result.problems.push(`${stats.duplicates} duplicates`);
  if (result.min < -1) result.problems.push(`fired up to ${(-result.min).toFixed(1)} ms early`);
  return result;
}
