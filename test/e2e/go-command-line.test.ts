// A Go Dalga operator's command lines, run unchanged against bin/dalga: the exact lines of Go
// Dalga's README and Dockerfile (read from the sources the reference builds were made from), with
// Go's own example config file. Only what cannot be kept is changed: the database and port (each
// test file has its own), and `dalga` / `/bin/dalga` / `/etc/dalga.toml` become paths here.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, DALGA_BIN } from '../support/daemon.js';
import { startEndpoint, type TestEndpoint } from '../support/endpoint.js';
import { freePort, goSourceFile, skipGoReference } from '../support/go-reference.js';
import { createTestDatabase, skipMysql, type TestDatabase } from '../support/mysql.js';
import { trackOpen } from '../support/cleanup.js';

const VERSION = (JSON.parse(readFileSync(resolve(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string }).version;

/** `    $ dalga -config dalga.toml` lines of the README, without the prompt. */
function readmeLines(readme: string, program: string): string[] {
  return readme
    .split('\n')
    .map((line) => /^\s+\$ (.*)$/.exec(line)?.[1])
    .filter((line): line is string => line !== undefined && line.startsWith(`${program} `));
}

function words(line: string): string[] {
  return line.split(/\s+/).filter((w) => w !== '');
}

describe.skipIf(skipMysql() || skipGoReference())("Go Dalga's command lines against bin/dalga", () => {
  let db: TestDatabase;
  let endpoint: TestEndpoint;
  let dir: string;
  let port: number;
  let readme: string;
  let dockerfile: string;
  let passed = 0;

  beforeAll(async () => {
    readme = goSourceFile('src/dalga-v4/README.md');
    dockerfile = goSourceFile('src/dalga-v4/Dockerfile');
    db = await createTestDatabase();
    endpoint = await startEndpoint();
    port = await freePort();
    dir = mkdtempSync(join(tmpdir(), 'dalga-go-cli-'));
    // Go's example config file, as shipped, pointed at this test's database, port and endpoint.
    const config = goSourceFile('src/dalga-v4/config.toml')
      .replace('db = "test"', `db = "${db.options.db}"`)
      .replace('port = 34006', `port = ${port}`)
      .replace('baseurl = "http://127.0.0.1:5000/"', `baseurl = "${endpoint.baseUrl}"`);
    expect(config).toContain(db.options.db);
    expect(config).toContain(`port = ${port}`);
    writeFileSync(join(dir, 'dalga.toml'), config);
  });

  afterAll(async () => {
    await endpoint?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (passed === 4) await db.drop();
  });

  /** Runs `line` (its first word is the program) as bin/dalga, through its #!/bin/sh line. */
  function run(argv: string[], env: Record<string, string> = {}) {
    return spawnSync(DALGA_BIN, argv, { cwd: dir, env: { ...cleanEnv(), ...env }, encoding: 'utf8', timeout: 15_000 });
  }

  it('the README: `dalga -config dalga.toml -create-tables` prints Go\'s sentence, then `dalga -config dalga.toml` serves the curl lines', async () => {
    const lines = readmeLines(readme, 'dalga');
    expect(lines).toEqual(['dalga -config dalga.toml -create-tables', 'dalga -config dalga.toml']);
    // v3's README has the same lines.
    expect(readmeLines(goSourceFile('src/dalga-v3/README.md'), 'dalga')).toEqual(lines);

    const created = run(words(lines[0]!).slice(1));
    // stdout is Go's sentence exactly; stderr may carry the log's info lines (the migration).
    expect(created.stdout, created.stderr).toBe('Table created successfully\n');
    expect(created.status).toBe(0);
    expect(created.stderr).not.toMatch(/"level":[5-6]\d|dalga: /);
    const tables = await db.withAdmin(async (c) => (await c.query('SHOW TABLES'))[0] as Record<string, string>[]);
    expect(tables.map((row) => Object.values(row)[0])).toEqual(expect.arrayContaining(['dalga', 'dalga_instances']));

    const daemon = await serve(words(lines[1]!).slice(1));
    try {
      // The README's curl lines, on this test's port.
      const curls = readmeLines(readme, 'curl');
      expect(curls).toHaveLength(3);
      const answers = [];
      for (const curl of curls) {
        const [, method, url] = /-X (\w+) '([^']+)'/.exec(curl) ?? [];
        const answer = await fetch(url!.replace('127.0.0.1:34006', `127.0.0.1:${port}`), { method: method! });
        answers.push({ method, status: answer.status, body: await answer.text() });
      }
      expect(answers.map((a) => a.status)).toEqual([201, 200, 204]);
      // The README's sample answers are from 2014 (`"interval":60`); Go Dalga v3/v4 answer PT60S, as dalga does.
      expect(JSON.parse(answers[0]!.body)).toMatchObject({ path: 'check_feed', body: '1234', interval: 'PT60S' });
      expect(JSON.parse(answers[1]!.body)).toMatchObject({ path: 'check_feed', body: '1234', interval: 'PT60S' });
      // And it POSTs to the config's endpoint.baseurl.
      expect((await fetch(`http://127.0.0.1:${port}/jobs/go_cli/1?one-off=true&immediate=true`, { method: 'PUT' })).status).toBe(201);
      expect((await endpoint.waitFor(1))[0]).toMatchObject({ url: '/go_cli', body: '1' });
      expect(daemon.stderr()).toContain(`"version":"${VERSION}"`);
      expect(daemon.stderr()).toContain(`"config":"${join(dir, 'dalga.toml')}"`);
    } finally {
      expect(await daemon.stop()).toBe(0);
    }
    passed++;
  });

  it("the Dockerfile: ENTRYPOINT [\"/bin/dalga\", \"-config\", \"/etc/dalga.toml\"] on an empty file, the database from DALGA_MYSQL_*", async () => {
    expect(dockerfile).toContain('RUN touch /etc/dalga.toml\n');
    const entrypoint = /^ENTRYPOINT (\[.*\])$/m.exec(dockerfile)?.[1];
    expect(entrypoint).toBe('["/bin/dalga", "-config", "/etc/dalga.toml"]');
    const etc = join(dir, 'etc-dalga.toml');
    writeFileSync(etc, ''); // RUN touch /etc/dalga.toml
    const argv = (JSON.parse(entrypoint!) as string[]).slice(1).map((a) => (a === '/etc/dalga.toml' ? etc : a));
    // `docker run -e DALGA_MYSQL_HOST=mysql.example.com cenkalti/dalga`, here with this test's database.
    const daemon = await serve(argv, {
      DALGA_MYSQL_HOST: db.options.host,
      DALGA_MYSQL_PORT: String(db.options.port),
      DALGA_MYSQL_DB: db.options.db,
      DALGA_LISTEN_PORT: String(port),
    });
    try {
      expect((await fetch(`http://127.0.0.1:${port}/jobs/check_feed/1234?interval=60`, { method: 'PUT' })).status).toBe(201);
      const rows = await db.withAdmin(async (c) => (await c.query("SELECT path FROM dalga WHERE path = 'check_feed'"))[0]);
      expect(rows).toEqual([{ path: 'check_feed' }]);
    } finally {
      expect(await daemon.stop()).toBe(0);
    }
    passed++;
  });

  it('-version prints the version; --config=… and -debug are read as Go reads them', async () => {
    for (const flag of ['-version', '--version']) {
      const version = run([flag]);
      expect(version.stdout).toBe(`${VERSION}\n`);
      expect(version.status).toBe(0);
    }
    const created = run(['--config=dalga.toml', '--create-tables=true']);
    expect(created.stdout, created.stderr).toBe('Table created successfully\n');
    const daemon = await serve(['-config=dalga.toml', '-debug']);
    try {
      expect(daemon.stderr()).toContain('"level":20');
    } finally {
      expect(await daemon.stop()).toBe(0);
    }
    passed++;
  });

  it('today\'s command line is unchanged: no arguments print the help; subcommands and their flags work', () => {
    const bare = run([]);
    expect(bare.stdout + bare.stderr).toContain('Usage: dalga [options] [command]');
    const created = run(['-c', 'dalga.toml', 'create-tables']);
    expect(created.stdout).toMatch(/^Table created successfully: mysql:\/\/root@.* table dalga\n$/);
    expect(created.status).toBe(0);
    const unknown = run(['-config', 'dalga.toml', '-no-such-flag']);
    expect(unknown.status).toBe(2);
    passed++;
  });

  async function serve(argv: string[], env: Record<string, string> = {}) {
    const proc = spawn(DALGA_BIN, argv, { cwd: dir, env: { ...cleanEnv(), ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr!.setEncoding('utf8');
    const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
    const stop = (): Promise<number | null> => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      return exited;
    };
    trackOpen(async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    });
    await new Promise<void>((res, rej) => {
      proc.stderr!.on('data', (chunk: string) => {
        stderr += chunk;
        if (stderr.includes('listening on')) res();
      });
      void exited.then((code) => rej(new Error(`bin/dalga ${argv.join(' ')} exited with ${code}:\n${stderr}`)));
    });
    return { stderr: () => stderr, stop };
  }
});
