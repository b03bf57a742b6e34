// The receiving end of the benchmarks, run as its own process (forked by lib/endpoint.js) so that
// counting never competes with the harness for an event loop. It answers every POST with 200
// at once over keep-alive connections and records, per benchmark phase:
// - how often each job index (the POST body) arrived: duplicates and missing ones are errors;
// - the first and last arrival time (drain rate);
// - arrival minus `dalga-sched` for each POST (lateness), when asked to.
// The parent drives it over IPC: {type:'reset', n, lateness} and {type:'stats'}.
import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';

let state = freshState(0, false);

function freshState(n, lateness) {
  return {
    n,
    seen: new Uint8Array(n),
    received: 0,
    duplicates: 0,
    outOfRange: 0,
    firstAt: Number.NaN,
    lastAt: Number.NaN,
    lateness: lateness ? [] : null,
    byInstance: {},
    // When each instance's first and last POST arrived: start-up stagger of several daemons.
    firstByInstance: {},
    lastByInstance: {},
  };
}

/** Wall-clock now in ms with sub-millisecond resolution. */
function nowMs() {
  return performance.timeOrigin + performance.now();
}

function record(body, headers, at) {
  const s = state;
  s.received += 1;
  if (Number.isNaN(s.firstAt)) s.firstAt = at;
  s.lastAt = at;
  const instance = String(headers['dalga-instance'] ?? '?');
  s.byInstance[instance] = (s.byInstance[instance] ?? 0) + 1;
  s.firstByInstance[instance] ??= at;
  s.lastByInstance[instance] = at;
  const index = Number(body);
  if (!Number.isInteger(index) || index < 0 || index >= s.n) s.outOfRange += 1;
  else if (s.seen[index]++ > 0) s.duplicates += 1;
  if (s.lateness) {
    const sched = Date.parse(String(headers['dalga-sched'] ?? ''));
    s.lateness.push(at - sched);
  }
}

const server = createServer((req, res) => {
  const at = nowMs();
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk) => (body += chunk));
  req.on('end', () => {
    record(body, req.headers, at);
    res.statusCode = 200;
    res.end();
  });
});
server.keepAliveTimeout = 60_000;
server.headersTimeout = 65_000;

process.on('message', (msg) => {
  if (msg.type === 'reset') {
    state = freshState(msg.n, Boolean(msg.lateness));
    process.send({ type: 'reset-done' });
    return;
  }
  if (msg.type === 'stats') {
    let missing = 0;
    for (let i = 0; i < state.n; i++) if (state.seen[i] === 0) missing += 1;
    const { seen: _seen, ...rest } = state;
    process.send({ type: 'stats', stats: { ...rest, missing } });
  }
});
// The parent going away (crash included) ends this process too.
process.on('disconnect', () => process.exit(0));

server.listen(0, '127.0.0.1', () => {
  process.send({ type: 'listening', port: server.address().port });
});
