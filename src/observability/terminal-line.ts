// The daemon's log on a terminal: one line per event, for a person. pino-pretty prints the time
// and level; this writes the rest. A delivery reads as what happened to which URL; any other
// event is its message and its fields as key=value. (The JSON log, for collectors, is unchanged.)

/** Fields pino adds or the terminal line leaves out. */
const NOT_SHOWN = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'instance']);

export function terminalLine(record: Record<string, unknown>): string {
  const msg = typeof record['msg'] === 'string' ? record['msg'] : '';
  if (typeof record['outcome'] === 'string' && 'sched' in record) return deliveryLine(msg, record);
  const fields = Object.entries(record)
    .filter(([key, value]) => !NOT_SHOWN.has(key) && value !== undefined)
    .map(([key, value]) => `${key}=${showValue(value)}`);
  return [msg, ...fields].join(' ');
}

/** `delivered: POST http://…/check_feed "1234" → 200 in 3 ms; next run 2030-…` */
function deliveryLine(msg: string, r: Record<string, unknown>): string {
  const target = typeof r['url'] === 'string' ? r['url'] : `/${String(r['path'])}`;
  const answer = r['status'] !== undefined ? String(r['status']) : String(r['error'] ?? 'no answer');
  const details = [`in ${String(r['durationMs'])} ms`];
  if (typeof r['latenessMs'] === 'number' && r['latenessMs'] >= 1000) details.push(`${r['latenessMs']} ms late`);
  if (typeof r['failures'] === 'number' && r['failures'] > 0) details.push(`failures ${r['failures']}`);
  if (r['nextRun'] !== undefined) details.push(r['nextRun'] === null ? 'disabled' : `next run ${String(r['nextRun'])}`);
  return `${msg}: POST ${target} ${JSON.stringify(r['body'])} → ${answer} (${details.join(', ')})`;
}

function showValue(value: unknown): string {
  if (typeof value === 'string') return /^[\w.:/@+,=-]+$/.test(value) ? value : JSON.stringify(value);
  if (value instanceof Object && 'message' in value && typeof value.message === 'string') return JSON.stringify(value.message);
  return JSON.stringify(value) ?? String(value);
}
