// `dalga history` against a real `bin/dalga serve`: an endpoint answering 500, 500, 200 shows
// three attempts with those statuses, their retry times and outcomes.
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
});
