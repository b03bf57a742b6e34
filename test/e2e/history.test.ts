// `dalga history` against a real `bin/dalga serve`: an endpoint answering 500, 500, 200 shows
// three attempts with those statuses, their retry times and outcomes. A job that gave up an
// occurrence: how history, get and ls show it.
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanEnv, DALGA_BIN, spawnDaemon, type SpawnedDaemon } from '../support/daemon.js';
import { startEndpoint, type TestEndpoint } from '../support/endpoint.js';

let daemon: SpawnedDaemon | undefined;
let endpoint: TestEndpoint | undefined;
afterEach(async () => {
  await daemon?.stop();
  daemon = undefined;
  await endpoint?.close();
  endpoint = undefined;
});

function cli(url: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [DALGA_BIN, '--url', url, '--utc', ...args], { env: cleanEnv(), encoding: 'utf8', timeout: 20_000 });
}

/** Without --utc, on a machine in Tokyo: times in each job's own location. */
function inJobZone(url: string, ...args: string[]): string {
  const r = spawnSync(process.execPath, [DALGA_BIN, '--url', url, ...args], { env: { ...cleanEnv(), TZ: 'Asia/Tokyo' }, encoding: 'utf8', timeout: 20_000 });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout;
}

/** Two hourly jobs, one in UTC and one in Los Angeles, whose first occurrence gave up (the endpoint answers 500). */
async function twoJobsThatGaveUp(): Promise<string> {
  endpoint = await startEndpoint();
  endpoint.respond = 500;
  // Retries 200 ms apart, given up once a retry would land 500 ms after the occurrence: 3 attempts.
  const retry = { DALGA_JOBS_RETRYINTERVAL: '200ms', DALGA_JOBS_RETRYMAXINTERVAL: '200ms', DALGA_JOBS_RETRYSTOPAFTER: '500ms' };
  daemon = await spawnDaemon({ env: { DALGA_ENDPOINT_BASEURL: endpoint.baseUrl, ...retry } });
  const url = daemon.url;
  expect((await fetch(`${url}/jobs/feed/utc?interval=PT1H&immediate=true`, { method: 'PUT' })).status).toBe(201);
  expect((await fetch(`${url}/jobs/feed/la?interval=PT1H&immediate=true&location=America/Los_Angeles`, { method: 'PUT' })).status).toBe(201);
  const outcomes = (body: string): string[] => JSON.parse(cli(url, 'history', 'feed', body, '--json').stdout).runs.map((r: { outcome: string }) => r.outcome);
  await expect.poll(() => outcomes('utc')[0], { timeout: 10_000 }).toBe('gave-up');
  await expect.poll(() => outcomes('la')[0], { timeout: 10_000 }).toBe('gave-up');
  return url;
}

describe('dalga history', () => {
  it('shows 500, 500, 200 as two retries and a success, newest first', async () => {
    endpoint = await startEndpoint();
    const answers = [500, 500, 200];
    endpoint.respond = () => answers.shift() ?? 200;
    daemon = await spawnDaemon({ env: { DALGA_ENDPOINT_BASEURL: endpoint.baseUrl, DALGA_JOBS_RETRY_INTERVAL: '200ms', DALGA_JOBS_RETRY_MAX_INTERVAL: '200ms' } });
    expect((await fetch(`${daemon.url}/jobs/check_feed/1234?interval=PT1H&immediate=true`, { method: 'PUT' })).status).toBe(201);
    await endpoint.waitFor(3);
    await expect.poll(() => JSON.parse(cli(daemon!.url, 'history', 'check_feed', '1234', '--json').stdout).runs.length).toBe(3);

    const json = JSON.parse(cli(daemon.url, 'history', 'check_feed', '1234', '--json').stdout);
    expect(json.runs.map((r: { status: string; outcome: string; attempt: number }) => [r.status, r.outcome, r.attempt])).toEqual([
      ['200', 'done', 3],
      ['500', 'retry', 2],
      ['500', 'retry', 1],
    ]);
    const started = json.runs.map((r: { started_at: string }) => Date.parse(r.started_at));
    expect(started[0] - started[1]).toBeGreaterThanOrEqual(190);
    expect(started[1] - started[2]).toBeGreaterThanOrEqual(190);

    const text = cli(daemon.url, 'history', 'check_feed', '1234');
    expect(text.status).toBe(0);
    const lines = text.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^STARTED +ATTEMPT +STATUS +OUTCOME +TOOK +SCHEDULED +INSTANCE$/);
    expect(lines.slice(1).map((l) => l.split(/ {2,}/).slice(1, 4))).toEqual([
      ['3', '200', 'done'],
      ['2', '500', 'retry'],
      ['1', '500', 'retry'],
    ]);
    const none = cli(daemon.url, 'history', 'never', 'was');
    expect(none.status).toBe(0);
    expect(none.stderr).toBe('no runs recorded for never was\n');
  }, 60_000);

  it("writes the times in the job's location, as get does: UTC for a UTC job, not the machine's offset", async () => {
    const url = await twoJobsThatGaveUp();
    // The UTC job's times read UTC and the Los Angeles job's -08:00 or -07:00, like their last
    // run in get, not in the zone of the machine (+09:00).
    const times = (text: string): string[] => [...text.matchAll(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d (\S+)/g)].map((m) => m[1]!);
    const utcRuns = inJobZone(url, 'history', 'feed', 'utc');
    expect(utcRuns.split('\n')[1]).toMatch(/ gave-up /);
    expect(/^last run: +\S+ \S+ (\S+) /m.exec(inJobZone(url, 'get', 'feed', 'utc'))![1]).toBe('UTC');
    expect(new Set(times(utcRuns))).toEqual(new Set(['UTC']));
    const laZone = /^last run: +\S+ \S+ (-0[78]:00) /m.exec(inJobZone(url, 'get', 'feed', 'la'))![1];
    expect(new Set(times(inJobZone(url, 'history', 'feed', 'la')))).toEqual(new Set([laZone]));
  }, 60_000);
});

describe('a periodic job whose retries ran out', () => {
  it('reads as gave up, not retrying, in get and ls, and is listed by --state gave-up and failing', async () => {
    const url = await twoJobsThatGaveUp();
    const get = inJobZone(url, 'get', 'feed', 'utc');
    expect(get).toMatch(/^state: +gave up ×\d+ \(waiting for the next occurrence\)$/m);
    expect(get).toMatch(/^next run: +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(in (59m\d\ds|1h00m)\)$/m);
    for (const state of ['gave-up', 'failing']) {
      const rows = inJobZone(url, 'ls', '--state', state).trimEnd().split('\n').slice(1);
      expect(rows.map((row) => row.split(/ {2,}/).slice(0, 4)).sort((a, b) => a[1]!.localeCompare(b[1]!))).toEqual([
        ['feed', 'la', 'PT1H', expect.stringMatching(/^gave up ×\d+$/)],
        ['feed', 'utc', 'PT1H', expect.stringMatching(/^gave up ×\d+$/)],
      ]);
    }
    expect(inJobZone(url, 'ls')).not.toContain('retrying');
  }, 60_000);
});
