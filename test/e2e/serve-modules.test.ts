import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnDaemon } from '../support/daemon.js';

// What `dalga serve` loads is most of its idle memory (issue 17): every module's source and
// compiled code stay in the heap. The daemon runs with a preload that records every module
// loaded, by import (ESM hook) and by require (CommonJS), and the test reads the list after a
// request to the daemon, so that the lazily loaded parts it uses are in it too.

let dir: string;
let preload: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dalga-serve-modules-'));
  writeFileSync(
    join(dir, 'hooks.mjs'),
    `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  appendFileSync(process.env.DALGA_TEST_MODULES, url + '\\n');
  return next(url, context);
}\n`,
  );
  preload = join(dir, 'record-modules.mjs');
  writeFileSync(
    preload,
    `import { register, createRequire } from 'node:module';
import { appendFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
register('./hooks.mjs', import.meta.url);
const Module = createRequire(import.meta.url)('node:module');
const load = Module._load;
Module._load = function (request, parent, isMain) {
  try {
    const file = Module._resolveFilename(request, parent, isMain);
    if (file.startsWith('/')) appendFileSync(process.env.DALGA_TEST_MODULES, pathToFileURL(file).href + '\\n');
  } catch {}
  return load.apply(this, arguments);
};\n`,
  );
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Files of node_modules the daemon loaded, as `package/path/in/package.js`. */
async function modulesOfServe(): Promise<string[]> {
  const list = join(dir, `modules-${Date.now()}.txt`);
  writeFileSync(list, '');
  const daemon = await spawnDaemon({ env: { NODE_OPTIONS: `--import ${preload}`, DALGA_TEST_MODULES: list } });
  try {
    const res = await fetch(`${daemon.url}/jobs/a/b?interval=PT1H`, { method: 'PUT' });
    expect(res.status).toBe(201);
  } finally {
    expect(await daemon.stop()).toBe(0);
  }
  const urls = readFileSync(list, 'utf8').split('\n').filter((u) => u.includes('/node_modules/'));
  return [...new Set(urls.map((u) => u.slice(u.lastIndexOf('/node_modules/') + '/node_modules/'.length)))];
}

function packagesOf(files: string[]): string[] {
  return [...new Set(files.map((f) => /^((?:@[^/]+\/)?[^/]+)\//.exec(f)?.[1] ?? f))].sort();
}

describe('what `dalga serve` on SQLite loads', () => {
  it('only undici\'s connection pool, not its index (fetch, WebSocket, caches, mocks)', async () => {
    const files = await modulesOfServe();
    const undici = files.filter((f) => f.startsWith('undici/'));
    expect(undici).toContain('undici/lib/dispatcher/agent.js');
    expect(undici).not.toContain('undici/index.js');
    expect(undici.filter((f) => /\/(web|mock|cache|interceptor)\//.test(f))).toEqual([]);
    expect(packagesOf(files)).not.toContain('mysql2');
  });

  it("prom-client's registry and metric types, not its index (Pushgateway, cluster aggregation, Summary)", async () => {
    const prom = (await modulesOfServe()).filter((f) => f.startsWith('prom-client/'));
    expect(prom).toContain('prom-client/lib/registry.js');
    for (const unused of ['prom-client/index.js', 'prom-client/lib/pushgateway.js', 'prom-client/lib/cluster.js', 'prom-client/lib/summary.js']) {
      expect(prom, unused).not.toContain(unused);
    }
  });

  it('without a configuration file, no configuration file reader (cosmiconfig, TOML, YAML)', async () => {
    const packages = packagesOf(await modulesOfServe());
    for (const reader of ['cosmiconfig', '@iarna/toml', 'js-yaml']) expect(packages, reader).not.toContain(reader);
    expect(packages).toContain('better-sqlite3');
  });
});
