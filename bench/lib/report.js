// Rows of figures (median and min–max of the runs, with a target when there is one), printed as
// a plain table on stdout and, on request, as Markdown for BENCHMARKS.md.
import { summarize } from './stats.js';

/**
 * A row: { bench, what, store, unit, values: number[], digits?, target?: { text, met: boolean|null } }.
 * `met: null` means the target could not be judged (a figure is missing).
 */
export function row(bench, what, store, unit, values, extra = {}) {
  return { bench, what, store, unit, values, summary: summarize(values), digits: 0, ...extra };
}

function num(v, digits) {
  if (!Number.isFinite(v)) return 'n/a';
  return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function cells(r) {
  const { median, min, max, runs } = r.summary;
  const spread = runs > 1 ? `${num(min, r.digits)}–${num(max, r.digits)}` : '';
  const target = r.target ? `${r.target.text} ${r.target.met === null ? '?' : r.target.met ? 'met' : 'NOT met'}` : '';
  return [r.bench, r.what, r.store, `${num(median, r.digits)} ${r.unit}`, spread, String(runs), target];
}

const HEAD = ['bench', 'figure', 'store', 'median', 'min–max', 'runs', 'target'];

export function textTable(rows) {
  const all = [HEAD, ...rows.map(cells)];
  const widths = HEAD.map((_, c) => Math.max(...all.map((line) => line[c].length)));
  const fmt = (line) => line.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd();
  return [fmt(all[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...all.slice(1).map(fmt)].join('\n');
}

export function markdownTable(rows) {
  const line = (cs) => `| ${cs.join(' | ')} |`;
  return [line(HEAD), line(HEAD.map(() => '---')), ...rows.map((r) => line(cells(r).map((c) => c.replace(/\|/g, '\\|'))))].join('\n');
}

export function markdownMachine(m, options) {
  return [
    `- Date: ${m.date}`,
    `- Machine: ${m.nproc} CPUs (${m.cpu}), ${m.memoryGiB} GiB memory, ${m.kernel}`,
    `- Node ${m.node}, SQLite ${m.sqlite} (better-sqlite3), MariaDB ${m.mariadb}`,
    `- Load average (1, 5, 15 min) before: ${m.loadBefore}; after: ${m.loadAfter}`,
    `- Command: \`npm run bench${options ? ` -- ${options}` : ''}\``,
  ].join('\n');
}
