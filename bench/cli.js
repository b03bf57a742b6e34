// CLI start-up: wall time of `dalga --version` and `dalga get x y` (the latter against a running
// daemon holding job x/y, so it does the whole round trip and prints the job), each run `count`
// times with spawnSync, the executable started as a user starts it (the bin file, via its shebang).
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { DALGA_BIN, startDaemon, storeEnv } from './lib/daemon.js';
import { call } from './lib/http.js';
import { freshStore } from './lib/store.js';

export async function cliRun({ count, endpoint, log }) {
  const store = await freshStore('sqlite', 'dalga', { create: false });
  let daemon;
  try {
    daemon = await startDaemon({ store, endpoint: endpoint.baseUrl });
    const put = await call('PUT', `${daemon.url}/jobs/x/y?interval=PT1H`);
    if (put.status !== 201) throw new Error(`PUT x/y answered ${put.status}`);
    const env = storeEnv(store);
    // Node's own start-up on this machine, the floor under any CLI written for it. With
    // NODE_EXTRA_CA_CERTS set, Node 20 parses its certificate store before running anything
    // (bin/dalga's client commands avoid that), so the floor is shown both ways.
    const node = timeSpawns(count, ['-e', ''], env, process.execPath);
    const extraCaCerts = (env.NODE_EXTRA_CA_CERTS ?? '') !== '';
    const { NODE_EXTRA_CA_CERTS: _, ...bareEnv } = env;
    const nodeBare = extraCaCerts ? timeSpawns(count, ['-e', ''], bareEnv, process.execPath) : undefined;
    const version = timeSpawns(count, ['--version'], env);
    const get = timeSpawns(count, ['get', 'x', 'y', '--url', daemon.url], env);
    const bare = nodeBare ? `; without NODE_EXTRA_CA_CERTS ${fmt(nodeBare)}` : '';
    log(`  cli: node -e '' ${fmt(node)}${bare}; --version ${fmt(version)}; get x y ${fmt(get)}`);
    return { node, nodeBare, extraCaCerts, version, get };
  } finally {
    await daemon?.stop();
    await store.drop();
  }
}

function timeSpawns(count, args, env, file = DALGA_BIN) {
  const times = [];
  // One untimed run fills the OS file cache.
  run(file, args, env);
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    run(file, args, env);
    times.push(performance.now() - started);
  }
  return times;
}

function run(file, args, env) {
  const r = spawnSync(file, args, { env, encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`${file} ${args.join(' ')} exited ${r.status ?? r.signal}: ${r.stderr}`);
  return r.stdout;
}

function fmt(times) {
  const s = [...times].sort((a, b) => a - b);
  return `median ${s[Math.floor(s.length / 2)].toFixed(0)} ms (${s[0].toFixed(0)}–${s[s.length - 1].toFixed(0)})`;
}
