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
    `- Date: ${m.date}${m.endDate ? ` to ${m.endDate}` : ''}`,
    `- Machine: ${m.nproc} CPUs (${m.cpu}), ${m.memoryGiB} GiB memory, ${m.kernel}`,
    `- Node ${m.node}, SQLite ${m.sqlite} (better-sqlite3), MariaDB ${m.mariadb}, PostgreSQL ${m.postgresql ?? 'not used'} (pg)`,
    ...(m.goDalga ? [`- Go Dalga: ${m.goDalga}`] : []),
    `- Load average (1, 5, 15 min) before: ${m.loadBefore}; after: ${m.loadAfter}`,
    `- Command: \`npm run bench${options ? ` -- ${options}` : ''}\``,
  ].join('\n');
}

/** "median (min–max)" of a pair row's side. */
function pairCell(values, unit, digits) {
  const { median, min, max, runs } = summarize(values);
  const spread = runs > 1 ? ` (${num(min, digits)}–${num(max, digits)})` : '';
  return `${num(median, digits)} ${unit}${spread}`;
}

/** Who is ahead and by how much, from the medians: `dalga 11.5×` or `Go 1.3×`. */
function ahead(r) {
  const d = summarize(r.dalga).median;
  const g = summarize(r.go).median;
  if (!Number.isFinite(d) || !Number.isFinite(g) || d <= 0 || g <= 0) return 'n/a';
  const dalgaAhead = r.higherIsBetter ? d >= g : d <= g;
  const factor = dalgaAhead === r.higherIsBetter ? d / g : g / d;
  return `${dalgaAhead ? 'dalga' : 'Go'} ${factor.toLocaleString('en-US', { maximumFractionDigits: factor < 10 ? 2 : 1 })}×`;
}

const PAIR_HEAD = ['figure', 'dalga', 'Go Dalga', 'dalga ÷ Go', 'ahead', 'runs'];

function pairCells(r) {
  const d = summarize(r.dalga).median;
  const g = summarize(r.go).median;
  const ratio = Number.isFinite(d) && Number.isFinite(g) && g !== 0 ? (d / g).toLocaleString('en-US', { maximumFractionDigits: 3 }) : 'n/a';
  return [r.what, pairCell(r.dalga, r.unit, r.digits), pairCell(r.go, r.unit, r.digits), ratio, ahead(r), `${r.dalga.length} + ${r.go.length}`];
}

export function textPairTable(rows) {
  const all = [PAIR_HEAD, ...rows.map(pairCells)];
  const widths = PAIR_HEAD.map((_, c) => Math.max(...all.map((line) => line[c].length)));
  const fmt = (line) => line.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd();
  return [fmt(all[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...all.slice(1).map(fmt)].join('\n');
}

export function markdownPairTable(rows) {
  const line = (cs) => `| ${cs.join(' | ')} |`;
  return [line(PAIR_HEAD), line(PAIR_HEAD.map(() => '---')), ...rows.map((r) => line(pairCells(r)))].join('\n');
}
