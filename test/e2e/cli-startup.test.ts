import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Client commands must start without the daemon's heavy parts. The built bin/dalga runs with a
// module-resolution hook (ES modules) and a require hook (CommonJS) that log every module it
// loads; the test reads that list.

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/dalga');
const HEAVY = ['mysql2', 'pg', 'better-sqlite3', 'ink', 'react', 'pino', 'undici', 'ofetch'];

let dir: string;
let closedURL: string;

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist/bundle/main.js'))) throw new Error('dist/ is not built — run `npm run build` (npm test does)');
  dir = mkdtempSync(join(tmpdir(), 'dalga-startup-'));
  writeFileSync(
    join(dir, 'hooks.mjs'),
    `export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  process.stderr.write('LOADED ' + result.url + '\\n');
  return result;
}\n`,
  );
  // CommonJS packages are loaded with require (src/runtime/require-cjs.ts): log those too.
  writeFileSync(
    join(dir, 'register.mjs'),
    `import Module, { register } from 'node:module';
register('./hooks.mjs', import.meta.url);
const load = Module._load;
Module._load = function (request, parent, isMain) {
  const loaded = load.call(this, request, parent, isMain);
  try {
    process.stderr.write('LOADED file://' + Module._resolveFilename(request, parent, isMain) + '\\n');
  } catch {}
  return loaded;
};\n`,
  );
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  closedURL = `http://127.0.0.1:${(srv.address() as { port: number }).port}`;
  await new Promise<void>((r) => srv.close(() => r()));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function loadedModules(args: string[], cwd = dir): { modules: string[]; status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', join(dir, 'register.mjs'), BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: dir },
  });
  const modules = [...r.stderr.matchAll(/^LOADED (.+)$/gm)].map((m) => m[1]!).filter((u) => !u.startsWith('node:'));
  return { modules, status: r.status, stderr: r.stderr.replace(/^LOADED .*\n/gm, '') };
}

function packagesOf(modules: string[]): string[] {
  const names = modules.map((u) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u)?.[1]).filter((n): n is string => n !== undefined);
  return [...new Set(names)].sort();
}

describe('client start-up', () => {
  it('`dalga get --url` loads only the CLI bundle (commander inside it), no package and no heavy chunk', () => {
    const r = loadedModules(['get', 'a', 'b', '--url', closedURL]);
    expect(r.status).toBe(5); // it did run: the daemon is unreachable
    expect(packagesOf(r.modules)).toEqual([]);
    const ours = r.modules.filter((u) => u.includes('/dist/')).map((u) => u.slice(u.indexOf('/dist/') + 6));
    expect(ours).toContain('bundle/main.js');
    // Chunks are named after their entry: the daemon, the stores and the live view stay unloaded.
    expect(ours.filter((m) => /bundle\/(serve-runner|sqlite|mysql|run-watch|load)-/.test(m))).toEqual([]);
  });

  it('without --url and without a configuration file, the configuration loader is not loaded either', () => {
    const r = loadedModules(['status']);
    expect(r.status).toBe(5);
    expect(packagesOf(r.modules)).toEqual([]);
  });

  it('reading a configuration file loads no driver, Ink or React', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'dalga-startup-cwd-'));
    try {
      writeFileSync(join(cwd, 'dalga.toml'), `[listen]\nport = ${new URL(closedURL).port}\n`);
      const r = loadedModules(['status'], cwd);
      expect(r.status).toBe(5);
      expect(r.stderr).toContain(closedURL);
      expect(packagesOf(r.modules)).toContain('cosmiconfig');
      for (const heavy of HEAVY) expect(packagesOf(r.modules), heavy).not.toContain(heavy);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it('`dalga schedule` loads no driver, Ink or React either', () => {
    const r = loadedModules(['schedule', 'p', 'b', '--interval', '60', '--url', closedURL]);
    expect(r.status).toBe(5);
    for (const heavy of HEAVY) expect(packagesOf(r.modules), heavy).not.toContain(heavy);
  });
});
