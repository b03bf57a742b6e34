// `npm run bench [-- --quick] [--only footprint,drain,lateness,api,scale,cli] [--store all|sqlite,mysql,postgres|both]
//                [--runs N] [--markdown file] [--json file] [--profile dir] [--soak-minutes M]`
// `npm run bench -- --vs-go [path to a Go Dalga build] [--quick] [--only drain,lateness,api] [--runs N]`
// Starts everything itself on 127.0.0.1 — the endpoint (its own process), the daemons (the real
// bin/dalga), the store (a temporary SQLite file; database `dalga_bench_<pid>` on the local MariaDB
// and schema `dalga_bench_<pid>` in the database `test` of the local PostgreSQL, dropped at the
// end) — runs the benchmarks, and prints one table of medians with min–max.
// Exit status: 0, or 1 when a run found a correctness problem (lost or duplicated deliveries,
// jobs fired early) or could not run.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { apiRun } from './api.js';
import { cliRun } from './cli.js';
import { drainRun } from './drain.js';
import { footprintRun, soakRun } from './footprint.js';
import { goDalgaVersion } from './lib/go-dalga.js';
import { latenessRun } from './lateness.js';
import { startEndpoint } from './lib/endpoint.js';
import { describeMachine } from './lib/machine.js';
import { killAll } from './lib/proc.js';
import { markdownMachine, markdownPairTable, markdownTable, row, textPairTable, textTable } from './lib/report.js';
import { createBenchDatabase, createBenchSchema, dropBenchDatabase, dropBenchSchema, MYSQL_DB, mysqlServer, POSTGRES_SCHEMA, postgresServer } from './lib/store.js';
import { scaleRun, scaleTable } from './scale.js';
import { apiDrainRun, apiLatenessRun, apiThroughputRun, interleaved, pairRow, systems } from './vs-go.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BENCHES = ['footprint', 'drain', 'lateness', 'api', 'scale', 'cli'];
const STORES = ['sqlite', 'mysql', 'postgres'];
/** The fastest PostgreSQL scheduler measured on this machine with the same work (graphile-worker 0.17, batching). */
const GRAPHILE_WORKER_RATE = 13_000;
const VS_GO_BENCHES = ['drain', 'lateness', 'api'];
/** `--vs-go` without a path: the reference build next to the repository, when it is there. */
const DEFAULT_GO = resolve(ROOT, '../shared/reference/dalga-go-v3');

// Quick mode is a smoke test of the whole harness (one run each, small sizes), under a minute.
const FULL = {
  runs: 3,
  idleRuns: 5,
  drainSizes: [10_000, 100_000],
  drainBudgetMs: 90_000,
  lateness: { count: 200, spreadMs: 20_000, leadMs: 3000, settleMs: 1000 },
  api: { seconds: 10, warmupSeconds: 1 },
  scale: { sizes: [1_000, 1_000_000], reps: 5, warmup: 10, pages: 30, leadMs: 1500, settleMs: 2000 },
  cliCount: 20,
};
const QUICK = {
  runs: 1,
  idleRuns: 1,
  drainSizes: [1_000],
  drainBudgetMs: 15_000,
  lateness: { count: 30, spreadMs: 1_500, leadMs: 1000, settleMs: 300 },
  api: { seconds: 3, warmupSeconds: 0 },
  scale: { sizes: [1_000, 10_000], reps: 1, warmup: 3, pages: 10, leadMs: 400, settleMs: 300 },
  cliCount: 5,
};

const MB = 2 ** 20;

async function main() {
  const { values } = parseArgs({
    args: withDefaultGoPath(process.argv.slice(2)),
    options: {
      'vs-go': { type: 'string' },
      'soak-minutes': { type: 'string' },
      ab: { type: 'string' },
      'drain-sizes': { type: 'string' },
      instances: { type: 'string' },
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      store: { type: 'string', default: 'all' },
      runs: { type: 'string' },
      markdown: { type: 'string' },
      json: { type: 'string' },
      profile: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(
      [
        'usage: npm run bench -- [--quick] [--only footprint,drain,lateness,api,scale,cli] [--store all|sqlite,mysql,postgres|both] [--runs N]',
        '                        [--markdown FILE] [--json FILE] [--profile DIR] [--soak-minutes M] [--drain-sizes 10000,100000] [--instances 1,3] [--ab DIR]',
        '       npm run bench -- --vs-go [PATH] [--quick] [--only drain,lateness,api] [--drain-sizes N,…] [--runs N] [--markdown FILE] [--json FILE]',
        `--vs-go runs dalga and a Go Dalga build (default ${DEFAULT_GO}) side by side on MariaDB.`,
        '--soak-minutes M: with footprint, also sample an idle daemon\'s RSS for M minutes on each store.',
        '--ab DIR: footprint and drain also run the build in DIR (its bin/dalga, dist/ built) as "B", interleaved A B B A.',
      ].join('\n'),
    );
    return 0;
  }
  if (values['vs-go'] !== undefined) return vsGoMain(values);
  const plan = { ...(values.quick ? QUICK : FULL) };
  if (values.runs !== undefined) {
    plan.runs = Number(values.runs);
    if (!Number.isInteger(plan.runs) || plan.runs < 1) throw new Error(`--runs must be a positive integer, not ${values.runs}`);
  }
  const only = values.only ? values.only.split(',').map((s) => s.trim()) : BENCHES;
  if (values['drain-sizes'] !== undefined) {
    plan.drainSizes = values['drain-sizes'].split(',').map((x) => Number(x.trim()));
    if (!plan.drainSizes.every((x) => Number.isInteger(x) && x > 0)) throw new Error(`--drain-sizes takes job counts, e.g. 10000,100000`);
  }
  plan.instances = values.instances === undefined ? [1, 3] : values.instances.split(',').map((x) => Number(x.trim()));
  // --ab DIR: another build (a checkout with dist/ built) as B, run interleaved with this one.
  plan.ab = values.ab === undefined ? undefined : resolve(values.ab, 'bin/dalga');
  if (plan.ab !== undefined && !existsSync(plan.ab)) throw new Error(`--ab: no bin/dalga in ${values.ab}`);
  plan.soakMinutes = values['soak-minutes'] === undefined ? 0 : Number(values['soak-minutes']);
  if (!(plan.soakMinutes >= 0)) throw new Error(`--soak-minutes must be a number of minutes, not ${values['soak-minutes']}`);
  for (const b of only) if (!BENCHES.includes(b)) throw new Error(`unknown benchmark ${JSON.stringify(b)}; choose from ${BENCHES.join(', ')}`);
  // `both` (sqlite and mysql) is kept from before PostgreSQL; `all` is every store.
  const asked = values.store === 'all' ? STORES : values.store === 'both' ? ['sqlite', 'mysql'] : values.store.split(',').map((x) => x.trim());
  for (const kind of asked) if (!STORES.includes(kind)) throw new Error(`--store must be all, both or a list of ${STORES.join(', ')}, not ${JSON.stringify(kind)}`);
  let stores = STORES.filter((kind) => asked.includes(kind));

  ensureBuilt();
  const explicit = values.store !== 'all' && values.store !== 'both';
  if (stores.includes('mysql') && !(await mysqlReachable())) {
    if (explicit) throw new Error('MariaDB is not answering on 127.0.0.1:3306 (root, no password)');
    console.log('MariaDB is not answering on 127.0.0.1:3306: not benchmarking it');
    stores = stores.filter((kind) => kind !== 'mysql');
  }
  if (stores.includes('postgres') && !(await postgresReachable())) {
    if (explicit) throw new Error('PostgreSQL is not answering on 127.0.0.1:5432 (root, database test, trust auth)');
    console.log('PostgreSQL is not answering on 127.0.0.1:5432: not benchmarking it');
    stores = stores.filter((kind) => kind !== 'postgres');
  }
  const machine = await describeMachine({ mysql: stores.includes('mysql'), postgres: stores.includes('postgres') });
  console.log(
    `dalga bench ${values.quick ? '(quick) ' : ''}— ${machine.date}, ${machine.nproc} CPUs, ${machine.memoryGiB} GiB, Node ${machine.node}, ` +
      `SQLite ${machine.sqlite}, MariaDB ${machine.mariadb}, PostgreSQL ${machine.postgresql}`,
  );

  const started = Date.now();
  // Other work on the machine skews every figure: say how busy it was.
  machine.loadBefore = loadAverage();
  const rows = [];
  const problems = [];
  const log = (line) => console.log(line);
  const endpoint = await startEndpoint();
  if (stores.includes('mysql')) await createBenchDatabase();
  if (stores.includes('postgres')) await createBenchSchema();
  try {
    // --profile DIR: every daemon writes a V8 CPU profile there (open in Chrome DevTools).
    // BENCH_NODE_ARGS: extra node flags for every daemon, to compare V8 settings.
    const profileArgs = values.profile ? ['--cpu-prof', `--cpu-prof-dir=${values.profile}`] : [];
    const extraArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== '');
    const nodeArgs = [...profileArgs, ...extraArgs];
    const ctx = { plan, stores, endpoint, rows, problems, log, nodeArgs };
    const sections = { footprint: benchFootprint, drain: benchDrain, lateness: benchLateness, api: benchApi, scale: benchScale, cli: benchCli };
    for (const name of BENCHES) {
      if (!only.includes(name)) continue;
      const t0 = Date.now();
      await sections[name](ctx);
      ctx.log(`  (${name}: ${((Date.now() - t0) / 1000).toFixed(0)} s)`);
    }
  } finally {
    await endpoint.close();
    if (stores.includes('mysql')) await dropBenchDatabase().catch((err) => console.error(`cannot drop ${MYSQL_DB}: ${err.message}`));
    if (stores.includes('postgres')) await dropBenchSchema().catch((err) => console.error(`cannot drop schema ${POSTGRES_SCHEMA}: ${err.message}`));
  }

  console.log(`\n${textTable(rows)}\n`);
  machine.loadAfter = loadAverage();
  machine.endDate = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  console.log(`total ${((Date.now() - started) / 1000).toFixed(0)} s; load average before ${machine.loadBefore}, after ${machine.loadAfter}`);
  if (problems.length) console.log(`\nCORRECTNESS PROBLEMS:\n${problems.map((p) => `- ${p}`).join('\n')}`);
  const options = process.argv.slice(2).filter((a, i, all) => !['--markdown', '--json'].includes(a) && !['--markdown', '--json'].includes(all[i - 1]));
  if (values.markdown) writeFileSync(values.markdown, `${markdownMachine(machine, options.join(' '))}\n\n${markdownTable(rows)}\n`);
  if (values.json) writeFileSync(values.json, JSON.stringify({ machine, plan, rows, problems }, null, 2));
  return problems.length ? 1 : 0;
}

/** `--vs-go` as the last argument or followed by another option means the default build. */
function withDefaultGoPath(args) {
  const i = args.indexOf('--vs-go');
  if (i < 0 || (args[i + 1] !== undefined && !args[i + 1].startsWith('--'))) return args;
  return [...args.slice(0, i + 1), DEFAULT_GO, ...args.slice(i + 1)];
}

const VS_GO_FULL = { ...FULL, drainBudgetMs: 400_000 };
const VS_GO_QUICK = { ...QUICK, drainBudgetMs: 60_000 };

/** The side-by-side run: dalga and Go Dalga on MariaDB, interleaved, each figure for both. */
async function vsGoMain(values) {
  const goBin = resolve(values['vs-go']);
  if (!existsSync(goBin)) throw new Error(`no Go Dalga build at ${goBin}; give its path: --vs-go PATH (builds: ../shared/reference/README.md)`);
  const goVersion = goDalgaVersion(goBin);
  const plan = { ...(values.quick ? VS_GO_QUICK : VS_GO_FULL) };
  if (values.runs !== undefined) {
    plan.runs = Number(values.runs);
    if (!Number.isInteger(plan.runs) || plan.runs < 1) throw new Error(`--runs must be a positive integer, not ${values.runs}`);
  }
  if (values['drain-sizes'] !== undefined) plan.drainSizes = values['drain-sizes'].split(',').map((x) => Number(x.trim()));
  const only = values.only ? values.only.split(',').map((x) => x.trim()) : VS_GO_BENCHES;
  for (const b of only) if (!VS_GO_BENCHES.includes(b)) throw new Error(`--vs-go runs ${VS_GO_BENCHES.join(', ')}, not ${JSON.stringify(b)}`);
  ensureBuilt();
  if (!(await mysqlReachable())) throw new Error('--vs-go needs MariaDB on 127.0.0.1:3306 (root, no password)');
  const machine = await describeMachine({ mysql: true });
  machine.goDalga = `${goBin} (${goVersion})`;
  console.log(`dalga vs Go Dalga ${values.quick ? '(quick) ' : ''}— ${machine.date}, ${machine.nproc} CPUs, Node ${machine.node}, MariaDB ${machine.mariadb}, Go Dalga ${goVersion}`);
  console.log(`interleaved runs (A B B A …), ${plan.runs} of each; every job through each server's own API, ${'16'} PUTs at a time`);
  const started = Date.now();
  machine.loadBefore = loadAverage();
  const extraArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== '');
  const both = systems(goBin, extraArgs);
  const pairs = [];
  const problems = [];
  const log = (line) => console.log(line);
  const endpoint = await startEndpoint();
  await createBenchDatabase();
  // Every run of a system: [name, run] in the interleaved order; results keyed by system.
  const runBoth = async (label, fn) => {
    const out = { dalga: [], go: [] };
    for (const [name, run] of interleaved(plan.runs, ['dalga', 'go'])) {
      const result = await fn(both[name], `${name}_${run}`);
      for (const p of result.problems ?? []) problems.push(`${both[name].label} ${label} run ${run + 1}: ${p}`);
      out[name].push(result);
    }
    return out;
  };
  try {
    if (only.includes('drain')) {
      log('drain: N one-off jobs PUT through the API, all due at one instant after the last PUT; jobs/s from the first to the last POST');
      for (const n of plan.drainSizes) {
        const r = await runBoth(`drain ${n}`, (system, tag) => apiDrainRun({ system, n, endpoint, tag: `${tag}_${n}`, log, budgetMs: plan.drainBudgetMs }));
        const size = n.toLocaleString('en');
        pairs.push(pairRow(`drain ${size} jobs`, 'jobs/s', true, r.dalga.map((x) => x.rate), r.go.map((x) => x.rate)));
        pairs.push(pairRow(`CPU per job, drain ${size}`, 'ms', false, r.dalga.map((x) => x.cpuPerJob), r.go.map((x) => x.cpuPerJob), 3));
        pairs.push(pairRow(`peak RSS, drain ${size}`, 'MB', false, r.dalga.map((x) => x.peakRss / MB), r.go.map((x) => x.peakRss / MB)));
        pairs.push(pairRow(`RSS idle, 2 s after start`, 'MB', false, r.dalga.map((x) => x.idleRss / MB), r.go.map((x) => x.idleRss / MB), 1));
      }
    }
    if (only.includes('lateness')) {
      const { count, spreadMs, leadMs, settleMs } = plan.lateness;
      log(`lateness: ${count} one-off jobs due at whole seconds over ${spreadMs / 1000} s; arrival minus dalga-sched`);
      const r = await runBoth('lateness', (system, tag) => apiLatenessRun({ system, count, spreadMs, leadMs, settleMs, endpoint, tag: `late_${tag}`, log }));
      for (const p of ['p50', 'p99', 'max']) pairs.push(pairRow(`lateness ${p}, ${count} jobs`, 'ms', false, r.dalga.map((x) => x[p]), r.go.map((x) => x[p]), 1));
    }
    if (only.includes('api')) {
      log(`api: autocannon, 16 connections, ${plan.api.seconds} s per method`);
      const r = await runBoth('api', (system, tag) => apiThroughputRun({ system, ...plan.api, endpoint, tag: `api_${tag}`, log }));
      pairs.push(pairRow('PUT requests/s', 'req/s', true, r.dalga.map((x) => x.put.rps), r.go.map((x) => x.put.rps)));
      pairs.push(pairRow('PUT p99 latency', 'ms', false, r.dalga.map((x) => x.put.p99), r.go.map((x) => x.put.p99)));
      pairs.push(pairRow('GET requests/s', 'req/s', true, r.dalga.map((x) => x.get.rps), r.go.map((x) => x.get.rps)));
      pairs.push(pairRow('GET p99 latency', 'ms', false, r.dalga.map((x) => x.get.p99), r.go.map((x) => x.get.p99)));
    }
  } finally {
    await endpoint.close();
    await dropBenchDatabase().catch((err) => console.error(`cannot drop ${MYSQL_DB}: ${err.message}`));
  }
  console.log(`\n${textPairTable(pairs)}\n`);
  machine.loadAfter = loadAverage();
  machine.endDate = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  console.log(`total ${((Date.now() - started) / 1000).toFixed(0)} s; load average before ${machine.loadBefore}, after ${machine.loadAfter}`);
  if (problems.length) console.log(`\nCORRECTNESS PROBLEMS:\n${problems.map((p) => `- ${p}`).join('\n')}`);
  const options = process.argv.slice(2).filter((a, i, all) => !['--markdown', '--json'].includes(a) && !['--markdown', '--json'].includes(all[i - 1]));
  if (values.markdown) writeFileSync(values.markdown, `${markdownMachine(machine, options.join(' '))}\n\n${markdownPairTable(pairs)}\n`);
  if (values.json) writeFileSync(values.json, JSON.stringify({ machine, plan, pairs, problems }, null, 2));
  return problems.length ? 1 : 0;
}

/** Run `fn(run)` plan.runs times; problems found by a run are collected, not fatal. */
async function repeat(ctx, label, fn) {
  const results = [];
  for (let run = 0; run < ctx.plan.runs; run++) {
    const result = await fn(run);
    for (const p of result.problems ?? []) ctx.problems.push(`${label} run ${run + 1}: ${p}`);
    results.push(result);
  }
  return results;
}

/** [build, run] pairs: A only, or A and B (--ab) interleaved A B B A A B …. */
function abOrder(ctx, runs) {
  const order = [];
  for (let run = 0; run < runs; run++) {
    if (!ctx.plan.ab) order.push(['A', run]);
    else order.push(...(run % 2 === 0 ? [['A', run], ['B', run]] : [['B', run], ['A', run]]));
  }
  return order;
}

function buildOf(ctx, build, kind) {
  return build === 'A' ? { bin: undefined, label: kind } : { bin: ctx.plan.ab, label: `${kind} B` };
}

const judge = (value, ok) => (Number.isFinite(value) ? ok(value) : null);

async function benchFootprint(ctx) {
  ctx.log(`footprint: VmRSS of an idle daemon 2 s after it listens, ${ctx.plan.idleRuns} starts per store`);
  for (const kind of ctx.stores) {
    const results = { A: [], B: [] };
    for (const [build, run] of abOrder(ctx, ctx.plan.idleRuns)) {
      const { bin, label } = buildOf(ctx, build, kind);
      results[build].push(await footprintRun({ nodeArgs: ctx.nodeArgs, kind, endpoint: ctx.endpoint, runTag: `${build}${run}`, log: ctx.log, bin, label }));
    }
    for (const build of ctx.plan.ab ? ['A', 'B'] : ['A']) {
      const rss = results[build].map((x) => x.rss / MB);
      const store = buildOf(ctx, build, kind).label;
      ctx.rows.push(row('footprint', 'RSS idle, 2 s after start', store, 'MB', rss, { digits: 1, target: { text: '≤ 60 MB (every run)', met: judge(Math.max(...rss), (v) => v <= 60) } }));
      // The private part: what each more instance on the machine adds (the node binary's pages are shared).
      ctx.rows.push(row('footprint', 'RssAnon (private) idle', store, 'MB', results[build].map((x) => x.rssAnon / MB), { digits: 1 }));
    }
    if (ctx.plan.soakMinutes > 0) {
      const soak = await soakRun({ nodeArgs: ctx.nodeArgs, kind, endpoint: ctx.endpoint, minutes: ctx.plan.soakMinutes, log: ctx.log });
      ctx.rows.push(
        row('footprint', `RSS idle, highest over a ${ctx.plan.soakMinutes}-minute soak`, kind, 'MB', [soak.maxRss / MB], {
          digits: 1,
          target: { text: '≤ 60 MB', met: judge(soak.maxRss / MB, (v) => v <= 60) },
        }),
      );
      ctx.rows.push(row('footprint', `RSS idle, at the end of the soak`, kind, 'MB', [soak.endRss / MB], { digits: 1 }));
    }
  }
}

async function benchDrain(ctx) {
  ctx.log('drain: N one-off jobs already due; jobs/s from first to last POST received');
  const mysqlRate = {};
  const postgresRate = {};
  const shared = (kind) => kind === 'mysql' || kind === 'postgres';
  const configs = ctx.stores
    .flatMap((kind) => (shared(kind) ? ctx.plan.instances.map((i) => [kind, i]) : [[kind, 1]]))
    .filter(([, i]) => ctx.plan.instances.includes(i));
  // MariaDB first, so that SQLite and PostgreSQL can be judged against it ("more than on MariaDB").
  const order = { mysql: 0, postgres: 1, sqlite: 2 };
  configs.sort((a, b) => order[a[0]] - order[b[0]]);
  const rssRows = [];
  const cpuRows = [];
  for (const n of ctx.plan.drainSizes) {
    for (const [kind, instances] of configs) {
      const byBuild = { A: [], B: [] };
      for (const [build, run] of abOrder(ctx, ctx.plan.runs)) {
        const { bin, label } = buildOf(ctx, build, kind);
        const result = await drainRun({ nodeArgs: ctx.nodeArgs, kind, n, instances, budgetMs: ctx.plan.drainBudgetMs, endpoint: ctx.endpoint, runTag: `${n}_${instances}_${build}${run}`, log: ctx.log, bin, label });
        for (const p of result.problems ?? []) ctx.problems.push(`drain ${label} n=${n} x${instances} run ${run + 1}: ${p}`);
        byBuild[build].push(result);
      }
      const results = byBuild.A;
      const partial = results.filter((x) => !x.complete).length;
      const note = partial ? ` (${partial} run${partial > 1 ? 's' : ''} PARTIAL: budget spent)` : '';
      const r = row('drain', `${n.toLocaleString('en')} jobs, ${instances} instance${instances > 1 ? 's' : ''}${note}`, kind, 'jobs/s', results.map((x) => x.rate));
      if (instances === 1 && kind === 'mysql') {
        mysqlRate[n] = r.summary.median;
        r.target = { text: '≥ 5,000', met: judge(r.summary.median, (v) => v >= 5000) };
      }
      if (instances === 3 && kind === 'mysql') {
        // Three instances on one machine should not deliver slower than one.
        r.target = { text: '≥ 1 instance', met: judge(r.summary.median, (v) => v >= mysqlRate[n]) };
      }
      if (instances === 1 && kind === 'postgres') {
        postgresRate[n] = r.summary.median;
        const floor = Math.max(GRAPHILE_WORKER_RATE, mysqlRate[n] ?? 0);
        r.target = { text: '≥ MariaDB and ≥ 13,000 (graphile-worker)', met: judge(r.summary.median, (v) => v >= floor) };
      }
      if (instances === 3 && kind === 'postgres') {
        const floor = Math.max(GRAPHILE_WORKER_RATE, postgresRate[n] ?? 0);
        r.target = { text: '≥ 1 instance and ≥ 13,000', met: judge(r.summary.median, (v) => v >= floor) };
      }
      if (instances === 1 && kind === 'sqlite') {
        // pg-boss (batches of 5,000), the fastest peer measured on this machine with the same work.
        const floor = Math.max(18_800, mysqlRate[n] ?? 0);
        r.target = { text: `> MariaDB and ≥ 18,800 (pg-boss)`, met: judge(r.summary.median, (v) => v >= floor) };
      }
      ctx.rows.push(r);
      cpuRows.push(row('drain', `daemon CPU per job, ${n.toLocaleString('en')} jobs x${instances}`, kind, 'ms', results.map((x) => x.daemonCpuPerJob), { digits: 2 }));
      rssRows.push(
        // A ceiling: judged on the highest run, not the median; the target is for one instance.
        row('drain', `peak RSS, ${n.toLocaleString('en')} jobs x${instances}`, kind, 'MB', results.map((x) => x.peakRss / MB), {
          ...(instances === 1 ? { target: { text: '≤ 90 MB (every run)', met: judge(Math.max(...results.map((x) => x.peakRss / MB)), (v) => v <= 90) } } : {}),
        }),
      );
      if (ctx.plan.ab) {
        const { label } = buildOf(ctx, 'B', kind);
        const b = byBuild.B;
        ctx.rows.push(row('drain', `${n.toLocaleString('en')} jobs, ${instances} instance${instances > 1 ? 's' : ''}`, label, 'jobs/s', b.map((x) => x.rate)));
        cpuRows.push(row('drain', `daemon CPU per job, ${n.toLocaleString('en')} jobs x${instances}`, label, 'ms', b.map((x) => x.daemonCpuPerJob), { digits: 2 }));
        rssRows.push(row('drain', `peak RSS, ${n.toLocaleString('en')} jobs x${instances}`, label, 'MB', b.map((x) => x.peakRss / MB)));
      }
    }
  }
  ctx.rows.push(...cpuRows, ...rssRows);
}

async function benchLateness(ctx) {
  const { count, spreadMs, leadMs, settleMs } = ctx.plan.lateness;
  ctx.log(`lateness: ${count} one-off jobs spread over ${spreadMs / 1000} s; arrival minus dalga-sched`);
  // PostgreSQL also with three instances, each scheduling a third of the jobs: the others hear of them by NOTIFY.
  const configs = ctx.stores.flatMap((kind) => (kind === 'postgres' ? [[kind, 1], [kind, 3]] : [[kind, 1]]));
  for (const [kind, instances] of configs) {
    const results = await repeat(ctx, `lateness ${kind} x${instances}`, (run) =>
      latenessRun({ nodeArgs: ctx.nodeArgs, kind, count, spreadMs, leadMs, settleMs, endpoint: ctx.endpoint, runTag: `${instances}_${run}`, log: ctx.log, instances }),
    );
    const what = (p) => `lateness ${p}, ${count} jobs${instances > 1 ? `, ${instances} instances` : ''}`;
    ctx.rows.push(row('lateness', what('p50'), kind, 'ms', results.map((x) => x.p50), { digits: 1 }));
    ctx.rows.push(
      row('lateness', what('p99'), kind, 'ms', results.map((x) => x.p99), {
        digits: 1,
        target: { text: '≤ 10 ms', met: judge(median(results.map((x) => x.p99)), (v) => v <= 10) },
      }),
    );
    ctx.rows.push(row('lateness', what('max'), kind, 'ms', results.map((x) => x.max), { digits: 1 }));
  }
}

async function benchApi(ctx) {
  ctx.log(`api: autocannon, 16 connections, ${ctx.plan.api.seconds} s per method`);
  const mysqlRps = {};
  // PostgreSQL is judged against MariaDB: MariaDB first.
  for (const kind of [...ctx.stores].sort((a, b) => (a === 'mysql' ? -1 : b === 'mysql' ? 1 : 0))) {
    const results = await repeat(ctx, `api ${kind}`, (run) =>
      apiRun({ nodeArgs: ctx.nodeArgs, kind, ...ctx.plan.api, endpoint: ctx.endpoint, runTag: String(run), log: ctx.log }),
    );
    const put = median(results.map((x) => x.put.rps));
    const get = median(results.map((x) => x.get.rps));
    if (kind === 'mysql') Object.assign(mysqlRps, { put, get });
    const vsMysql = kind === 'postgres' && mysqlRps.put !== undefined;
    ctx.rows.push(
      row('api', 'PUT requests/s', kind, 'req/s', results.map((x) => x.put.rps), {
        target: vsMysql ? { text: '≥ 2,000 and ≥ MariaDB', met: judge(put, (v) => v >= Math.max(2000, mysqlRps.put)) } : { text: '≥ 2,000', met: judge(put, (v) => v >= 2000) },
      }),
    );
    ctx.rows.push(row('api', 'PUT p99 latency', kind, 'ms', results.map((x) => x.put.p99)));
    ctx.rows.push(
      row('api', 'GET requests/s', kind, 'req/s', results.map((x) => x.get.rps), {
        target: vsMysql ? { text: '≥ 4,500 and ≥ MariaDB', met: judge(get, (v) => v >= Math.max(4500, mysqlRps.get)) } : { text: '≥ 4,500', met: judge(get, (v) => v >= 4500) },
      }),
    );
    ctx.rows.push(row('api', 'GET p99 latency', kind, 'ms', results.map((x) => x.get.p99)));
  }
}

async function benchScale(ctx) {
  const { sizes: [small, big], ...scalePlan } = ctx.plan.scale;
  ctx.log(`scale: ${small.toLocaleString('en')} vs ${big.toLocaleString('en')} future jobs in the table`);
  for (const kind of ctx.stores) {
    const bySize = {};
    for (const size of [small, big]) {
      const store = await scaleTable(kind, size);
      ctx.log(`  loaded ${size.toLocaleString('en')} jobs into ${kind} in ${store.loadSeconds.toFixed(1)} s`);
      try {
        bySize[size] = await repeat(ctx, `scale ${kind} ${size}`, () =>
          scaleRun({ nodeArgs: ctx.nodeArgs, store, size, ...scalePlan, endpoint: ctx.endpoint, log: ctx.log }),
        );
      } finally {
        await store.drop();
      }
    }
    const fig = (size, key) => bySize[size].map((x) => x[key]);
    const label = (size) => `${size.toLocaleString('en')} jobs`;
    const within2x = (key) => {
      const base = median(fig(small, key));
      return { text: `≤ 2× ${label(small)}`, met: judge(median(fig(big, key)) / base, (v) => v <= 2) };
    };
    for (const size of [small, big]) {
      const isBig = size === big;
      ctx.rows.push(row('scale', `claim batch of 100, ${label(size)}`, kind, 'ms', fig(size, 'claim'), { digits: 1, ...(isBig ? { target: within2x('claim') } : {}) }));
      ctx.rows.push(row('scale', `first page next-run, ${label(size)}`, kind, 'ms', fig(size, 'page'), { digits: 2, ...(isBig ? { target: within2x('page') } : {}) }));
      ctx.rows.push(row('scale', `GET /status, ${label(size)}`, kind, 'ms', fig(size, 'status'), { digits: 1 }));
      ctx.rows.push(row('scale', `RSS idle, ${label(size)}`, kind, 'MB', fig(size, 'idleRss').map((b) => b / MB)));
      ctx.rows.push(row('scale', `daemon start, ${label(size)}`, kind, 'ms', fig(size, 'bootMs')));
    }
  }
}

async function benchCli(ctx) {
  ctx.log(`cli: wall time of ${ctx.plan.cliCount} spawns each`);
  const r = await cliRun({ count: ctx.plan.cliCount, endpoint: ctx.endpoint, log: ctx.log });
  // One row per spawn would not be "runs": the figure is the median of all spawns, spread min–max.
  ctx.rows.push(row('cli', `node -e '' (baseline${r.extraCaCerts ? ', NODE_EXTRA_CA_CERTS set' : ''})`, '-', 'ms', r.node));
  if (r.nodeBare) ctx.rows.push(row('cli', "node -e '' (baseline, NODE_EXTRA_CA_CERTS unset)", '-', 'ms', r.nodeBare));
  ctx.rows.push(row('cli', 'dalga --version', '-', 'ms', r.version));
  ctx.rows.push(row('cli', 'dalga get x y', '-', 'ms', r.get, { target: { text: '≤ 150 ms', met: judge(median(r.get), (v) => v <= 150) } }));
}

function loadAverage() {
  return os.loadavg().map((l) => l.toFixed(2)).join(' ');
}

function median(values) {
  const s = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (!s.length) return Number.NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Build dist/ when it is missing or older than src/: stale code would give meaningless figures.
 * bin/dalga runs the esbuild bundle (dist/bundle), made from tsc's output: both are rebuilt.
 */
function ensureBuilt() {
  const bundle = join(ROOT, 'dist/bundle/main.js');
  if (existsSync(bundle) && newestMtime(join(ROOT, 'src')) <= statSync(bundle).mtimeMs) return;
  console.log('building dist/ (tsc -p tsconfig.build.json, then scripts/bundle-cli.mjs)…');
  const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit', cwd: ROOT });
  const bundled = tsc.status === 0 && spawnSync(process.execPath, [join(ROOT, 'scripts/bundle-cli.mjs')], { stdio: 'inherit', cwd: ROOT }).status === 0;
  if (!bundled || !existsSync(bundle)) throw new Error('the build failed; fix it or run `npm run build` and retry');
}

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

async function postgresReachable() {
  try {
    const c = await postgresServer();
    await c.end();
    return true;
  } catch {
    return false;
  }
}

async function mysqlReachable() {
  try {
    const conn = await mysqlServer();
    await conn.end();
    return true;
  } catch {
    return false;
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`bench: ${err?.message ?? err}`);
    killAll();
    process.exit(1);
  },
);
