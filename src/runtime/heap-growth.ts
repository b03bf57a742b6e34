import { setFlagsFromString } from 'node:v8';

// Left to its defaults, V8 lets the old generation grow to up to 4× its live size between full
// collections when a program allocates fast, as the daemon does while draining a backlog: a
// live heap of ~20 MB became ~100 MB of heap and ~165 MB of RSS at 100,000 due jobs. Capping
// the growth at 1.5× keeps the heap near its live size for ~17 full collections instead of 4 in
// such a drain (~80 ms of pauses in 10 s, each under 15 ms) and peak RSS near 130 MB; see
// BENCHMARKS.md. The flag is read at every collection, so setting it at start-up takes effect.

export const HEAP_GROWING_PERCENT = 50;

/**
 * Applies the daemon's heap growth limit unless the operator chose one
 * (`node --heap-growing-percent=N bin/dalga serve`). Answers whether it was applied.
 */
export function limitHeapGrowth(execArgv: readonly string[] = process.execArgv): boolean {
  if (execArgv.some((arg) => /^--heap[-_]growing[-_]percent\b/.test(arg))) return false;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  return true;
}
