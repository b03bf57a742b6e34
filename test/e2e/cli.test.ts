import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobJson, JobListJson, StatusJson } from '../../src/client/types.js';
import { DALGA_BIN, type SpawnedDaemon, cleanEnv, spawnDaemon } from '../support/daemon.js';

// The built bin/dalga against a real daemon (bin/dalga serve on a temporary SQLite file):
// stdout, stderr and exit status of each command.

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function dalga(args: string[], options: { env?: Record<string, string>; cwd?: string } = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [DALGA_BIN, ...args], {
      cwd: options.cwd ?? tmpdir(),
      env: { ...cleanEnv(), ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    proc.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    proc.on('error', reject);
    proc.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let daemon: SpawnedDaemon;
let url: string;
const on = (args: string[]): Promise<Result> => dalga([...args, '--url', url]);

beforeAll(async () => {
  daemon = await spawnDaemon();
  url = daemon.url;
});

afterAll(async () => {
  await daemon?.stop();
});

describe('schedule and get', () => {
  it('schedules a job and shows it', async () => {
    const made = await on(['schedule', 'check_feed', '1234', '--interval', '90s', '--first-run', '+1h']);
    expect(made).toMatchObject({ code: 0, stderr: '' });
    expect(made.stdout).toMatch(/^path: +check_feed$/m);
    expect(made.stdout).toMatch(/^interval: +PT90S$/m);
    expect(made.stdout).toMatch(/^next run: +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(in (59m\d\ds|1h00m)\)$/m);
    expect(made.stdout).not.toContain('\u001b['); // not a terminal: no colour

    const got = await on(['get', 'check_feed', '1234']);
    expect(got).toMatchObject({ code: 0, stderr: '' });
    expect(got.stdout).toMatch(/^state: +scheduled$/m);
  });

  it("shows times in the job's own zone with its offset (the README's 14:09 in Los Angeles); --utc and --local switch", async () => {
    const made = await on(['schedule', 'report', 'daily', '--interval', 'P1D', '--first-run', '2030-01-02T14:09:00-08:00', '--location', 'America/Los_Angeles']);
    expect(made).toMatchObject({ code: 0, stderr: '' });
    expect(made.stdout).toMatch(/^next run: +2030-01-02 14:09:00 -08:00 \(in \d+d\d\dh\)$/m);
    expect((await on(['get', 'report', 'daily', '--utc'])).stdout).toMatch(/^next run: +2030-01-02 22:09:00 UTC /m);
    const local = await dalga(['get', 'report', 'daily', '--local', '--url', url], { env: { TZ: 'Asia/Tokyo' } });
    expect(local.stdout).toMatch(/^next run: +2030-01-03 07:09:00 \+09:00 /m);
    expect((await on(['ls', '--path', 'report'])).stdout).toContain('2030-01-02 14:09:00 -08:00');
    expect(await on(['get', 'report', 'daily', '--utc', '--local'])).toMatchObject({ code: 2, stderr: 'dalga: --utc and --local contradict each other — give one of them\n' });
  });

  it("reads --first-run without an offset in --location's zone, and warns about an offset that is not the zone's", async () => {
    const plain = await on(['schedule', 'report', 'summer', '--interval', 'P1D', '--first-run', '2030-07-02T14:09', '--location', 'America/Los_Angeles']);
    expect(plain).toMatchObject({ code: 0, stderr: '' });
    expect(plain.stdout).toMatch(/^next run: +2030-07-02 14:09:00 -07:00 /m);
    const copied = await on(['schedule', 'report', 'summer', '--interval', 'P1D', '--first-run', '2030-07-02T14:09:00-08:00', '--location', 'America/Los_Angeles']);
    expect(copied.code).toBe(0);
    expect(copied.stderr).toBe(
      'dalga: warning: --first-run 2030-07-02T14:09:00-08:00 is 15:09 in America/Los_Angeles, whose offset on that date is -07:00, not -08:00 — the job runs at 15:09 there; for 14:09 leave the offset out\n',
    );
    expect(copied.stdout).toMatch(/^next run: +2030-07-02 15:09:00 -07:00 /m);
  });

  it('get --json prints the API JSON', async () => {
    await on(['schedule', 'x', 'y', '--interval', 'PT1M', '--location', 'Europe/Istanbul']);
    const r = await on(['get', 'x', 'y', '--json']);
    expect(r.code).toBe(0);
    const job = JSON.parse(r.stdout) as JobJson;
    expect(job).toMatchObject({ path: 'x', body: 'y', interval: 'PT1M', location: 'Europe/Istanbul' });
    expect(job.next_run).toMatch(/\+03:00$/);
  });

  it('keeps slashes, spaces, question marks and plus signs in path and body', async () => {
    const path = 'feeds/a b?c=1#x';
    const body = '{"id": 1+2}';
    expect((await on(['schedule', path, body, '--interval', '60'])).code).toBe(0);
    const job = JSON.parse((await on(['get', path, body, '--json'])).stdout) as JobJson;
    expect(job).toMatchObject({ path, body });
    // Dot segments are sent as they are, not resolved away: a body of `..` is kept, a path of
    // `..` reaches the daemon, which refuses it because it could not be delivered (issue 7).
    expect((await on(['schedule', '...', '..', '--interval', '60'])).code).toBe(0);
    expect(JSON.parse((await on(['get', '...', '..', '--json'])).stdout)).toMatchObject({ path: '...', body: '..' });
    expect(await on(['schedule', '..', '.', '--interval', '60'])).toMatchObject({ code: 2, stderr: expect.stringContaining('path must not contain a ".." segment') });
  });

  it('a missing job exits 4', async () => {
    const r = await on(['get', 'no-such', 'job']);
    expect(r).toEqual({ code: 4, stdout: '', stderr: 'dalga: job not found — no-such job\n' });
  });

  it('invalid flags exit 2 before any request', async () => {
    const r = await on(['schedule', 'p', 'b', '--interval', '-5']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^dalga: invalid --interval "-5": an interval cannot be negative — give seconds/);
    expect(r.stderr.split('\n')).toHaveLength(2); // one line
  });

  it('a 400 from the daemon exits 2 with its text', async () => {
    const r = await on(['schedule', 'p'.repeat(300), 'b', '--interval', '60']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^dalga: .+\n$/);
  });
});

describe('enable, disable, cancel', () => {
  it('disables and enables, then cancels quietly', async () => {
    await on(['schedule', 'toggle', '1', '--interval', '1h']);
    const off = JSON.parse((await on(['disable', 'toggle', '1', '--json'])).stdout) as JobJson;
    expect(off.next_run).toBeNull();
    const shown = await on(['get', 'toggle', '1']);
    expect(shown.stdout).toMatch(/^state: +disabled$/m);
    const back = JSON.parse((await on(['enable', 'toggle', '1', '--json'])).stdout) as JobJson;
    expect(back.next_run).not.toBeNull();

    expect(await on(['cancel', 'toggle', '1'])).toEqual({ code: 0, stdout: '', stderr: '' });
    expect((await on(['get', 'toggle', '1'])).code).toBe(4);
    // Cancelling a missing job succeeds, like the API's DELETE.
    expect((await on(['cancel', 'toggle', '1'])).code).toBe(0);
  });

  it('enable of a missing job exits 4', async () => {
    expect((await on(['enable', 'nope', 'nope'])).code).toBe(4);
  });
});

describe('ls and status', () => {
  beforeAll(async () => {
    for (let i = 0; i < 5; i++) expect((await on(['schedule', 'listed', `job-${i}`, '--interval', `${60 + i}`])).code).toBe(0);
  });

  it('prints a table', async () => {
    const r = await on(['ls', '--path', 'listed']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^PATH +BODY +INTERVAL +STATE +NEXT RUN +LAST STATUS +FAILURES$/);
    expect(lines.slice(1).map((l) => l.split(/ +/)[1])).toEqual(['job-0', 'job-1', 'job-2', 'job-3', 'job-4']);
  });

  it('--json prints one array; --limit pages and says there is more, in text and JSON alike', async () => {
    const all = JSON.parse((await on(['ls', '--path', 'listed', '--json'])).stdout) as JobJson[];
    expect(all.map((j) => j.body)).toEqual(['job-0', 'job-1', 'job-2', 'job-3', 'job-4']);
    const page = await on(['ls', '--path', 'listed', '--limit', '2']);
    expect(page.stdout.trimEnd().split('\n')).toHaveLength(3);
    expect(page.stderr).toBe('dalga: showing the first 2 jobs — use --all for every page\n');
    const json = await on(['ls', '--path', 'listed', '--limit', '2', '--json']);
    expect(JSON.parse(json.stdout)).toHaveLength(2);
    expect(json.stderr).toBe('dalga: showing the first 2 jobs — use --all for every page\n');
  });

  it('lists what runs next first by default; --sort insert-order keeps the API order', async () => {
    await on(['schedule', 'order', 'later', '--interval', '1h']);
    await on(['schedule', 'order', 'off', '--interval', '1m']);
    await on(['disable', 'order', 'off']);
    await on(['schedule', 'order', 'sooner', '--interval', '1m']);
    const bodies = async (args: string[]) => (JSON.parse((await on(['ls', '--path', 'order', '--json', ...args])).stdout) as JobJson[]).map((j) => j.body);
    expect(await bodies([])).toEqual(['sooner', 'later', 'off']);
    expect(await bodies(['--sort', 'insert-order'])).toEqual(['later', 'off', 'sooner']);
  });

  it('--limit outside 1..1000 is refused with one wording', async () => {
    for (const limit of ['0', '5000', 'ten']) {
      expect(await on(['ls', '--limit', limit])).toEqual({
        code: 2,
        stdout: '',
        stderr: `dalga: invalid --limit "${limit}" — give a whole number of jobs from 1 to 1000\n`,
      });
    }
  });

  it('--all follows the cursor, in any order', async () => {
    const r = await on(['ls', '--path', 'listed', '--limit', '2', '--all', '--json', '--sort', 'next-run', '--reverse']);
    expect(r.code).toBe(0);
    const jobs = JSON.parse(r.stdout) as JobJson[];
    expect(jobs.map((j) => j.body)).toEqual(['job-4', 'job-3', 'job-2', 'job-1', 'job-0']);
    const table = await on(['ls', '--path', 'listed', '--limit', '2', '--all']);
    expect(table.stdout.trimEnd().split('\n')).toHaveLength(6);
    expect(table.stderr).toBe('');
  });

  it('--watch without a terminal lists once and says why', async () => {
    const r = await on(['ls', '--path', 'listed', '--watch']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^PATH/);
    expect(r.stderr).toBe('dalga: --watch needs a terminal on stdout; listing once instead\n');
  });

  it('says so when nothing matches', async () => {
    const r = await on(['ls', '--path', 'nothing-here']);
    expect(r).toEqual({ code: 0, stdout: '', stderr: 'dalga: no jobs\n' });
    expect(JSON.parse((await on(['ls', '--path', 'nothing-here', '--json'])).stdout)).toEqual([]);
    expect(JSON.parse((await on(['ls', '--path', 'nothing-here', '--json', '--all'])).stdout)).toEqual([]);
  });

  it('status prints the figures and each instance with its last heartbeat', async () => {
    const text = await on(['status', '--utc']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^total jobs: +\d+$/m);
    const json = JSON.parse((await on(['status', '--json'])).stdout) as StatusJson;
    expect(json.total_jobs).toBeGreaterThanOrEqual(5);
    expect(json.total_instances).toBe(1);
    expect(json.instances).toEqual([{ id: json.instance_id, last_heartbeat: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) }]);
    expect(text.stdout).toMatch(new RegExp(`^instances: +1\\n  ${json.instance_id}  last heartbeat \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC \\((just now|\\d+s ago)\\)  ← answered this request$`, 'm'));
  });
});

describe('finding the daemon', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'dalga-cli-e2e-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('uses DALGA_URL', async () => {
    expect((await dalga(['status', '--json'], { env: { DALGA_URL: url } })).code).toBe(0);
  });

  it('uses the listen address of the discovered configuration file', async () => {
    const port = new URL(url).port;
    writeFileSync(join(dir, 'dalga.toml'), `[listen]\nhost = "0.0.0.0"\nport = ${port}\n`);
    const r = await dalga(['status', '--json', '--debug'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`dalga: daemon http://127.0.0.1:${port} (from ${join(dir, 'dalga.toml')})`);
  });

  it('an invalid configuration exits 3', async () => {
    writeFileSync(join(dir, 'bad.toml'), '[listen]\nport = "lots"\n');
    const r = await dalga(['status', '-c', 'bad.toml'], { cwd: dir });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^dalga: invalid config listen\.port/);
  });
});

describe('a daemon with a token', () => {
  let secured: SpawnedDaemon;
  beforeAll(async () => {
    secured = await spawnDaemon({ env: { DALGA_LISTEN_TOKEN: 's3cret' } });
  });
  afterAll(async () => {
    await secured?.stop();
  });

  it('answers 401 without the token: exit 2 with a hint', async () => {
    const r = await dalga(['status', '--url', secured.url]);
    expect(r).toEqual({ code: 2, stdout: '', stderr: 'dalga: unauthorized: the daemon needs a token — pass --token or set DALGA_TOKEN\n' });
  });

  it('a wrong token gets its own hint', async () => {
    const r = await dalga(['status', '--url', secured.url, '--token', 'guess']);
    expect(r).toEqual({
      code: 2,
      stdout: '',
      stderr: 'dalga: unauthorized: wrong token — check --token or DALGA_TOKEN against listen.token of the daemon\n',
    });
  });

  it('accepts --token and DALGA_TOKEN', async () => {
    expect((await dalga(['status', '--url', secured.url, '--token', 's3cret'])).code).toBe(0);
    expect((await dalga(['status', '--url', secured.url], { env: { DALGA_TOKEN: 's3cret' } })).code).toBe(0);
  });
});

describe('help', () => {
  it("a command's --help lists the global flags its examples use", async () => {
    const r = await dalga(['get', '--help']);
    expect(r.code).toBe(0);
    for (const flag of ['--json', '--url <url>', '--token <token>', '--utc', '--local']) expect(r.stdout).toContain(flag);
    expect(r.stdout).toContain('--json | jq');
  });
});

describe('daemon down', () => {
  it('exits 5 with a hint', async () => {
    const gone = await spawnDaemon();
    await gone.stop();
    const r = await dalga(['get', 'a', 'b', '--url', gone.url]);
    expect(r).toEqual({
      code: 5,
      stdout: '',
      stderr: `dalga: cannot reach dalga at ${gone.url} — is \`dalga serve\` running? (set --url or DALGA_URL)\n`,
    });
  });
});

describe('many jobs', () => {
  it('stops quietly when the reader closes the pipe early', async () => {
    const body = 'x'.repeat(240);
    for (let i = 0; i < 400; i += 50) {
      await Promise.all(
        Array.from({ length: 50 }, async (_, k) => {
          const res = await fetch(`${url}/jobs/piped/${body}${i + k}?interval=60`, { method: 'PUT' });
          expect(res.status).toBe(201);
        }),
      );
    }
    const proc = spawn(process.execPath, [DALGA_BIN, 'ls', '--path', 'piped', '--all', '--json', '--url', url], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    proc.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    // Like `| head -c 10`: read once, then close our end while dalga is still writing.
    proc.stdout.once('data', () => proc.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => proc.on('close', (c) => resolve(c)));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('ls --all --json streams every page into one valid array', async () => {
    const n = 25;
    for (let i = 0; i < n; i++) {
      const res = await fetch(`${url}/jobs/bulk/b${String(i).padStart(2, '0')}?interval=60`, { method: 'PUT' });
      expect(res.status).toBe(201);
    }
    const r = await on(['ls', '--path', 'bulk', '--all', '--limit', '7', '--json']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const jobs = JSON.parse(r.stdout) as JobListJson['jobs'];
    expect(new Set(jobs.map((j) => j.body)).size).toBe(n);
  });
});
