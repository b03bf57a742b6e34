// Failure reports (README "Failure reports"): one JSON report at endpoint.failureUrl when a job
// gives up, when dalga disables it, and once it failed endpoint.failureAfter attempts in a row;
// signed like deliveries; retried with the deliveries' back-off.
import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeSigningKey } from '../../src/config/signing-key.js';
import { runCli } from '../../src/cli/program.js';
import { startEndpoint, type TestEndpoint } from '../support/endpoint.js';
import { startHarness, type Harness } from '../support/harness.js';

const MIN = 60_000;
const KEY = 'whsec_ZGFsZ2EgdGVzdCBmaXh0dXJlIGtleSwgMzIgYnl0ZXM=';
let h: Harness | undefined;
let reports: TestEndpoint | undefined;
afterEach(async () => {
  await h?.close();
  await reports?.close();
  h = undefined;
  reports = undefined;
});

async function start(options: Parameters<typeof startHarness>[0] = {}): Promise<Harness> {
  reports = await startEndpoint();
  return startHarness({ failureUrl: `${reports.baseUrl}dalga-failures`, ...options });
}

describe('failure reports', () => {
  it('a job that gives up produces exactly one report, with the job, its last attempts and why', async () => {
    h = await start({ retry: { stopAfterMs: 90_000 }, signingKey: KEY });
    h.endpoint.respond = 500;
    expect((await h.api('PUT', '/jobs/report/daily?one-off=true&immediate=true')).status).toBe(201);
    expect(await h.scheduler.runOnce()).toBe(1);
    h.clock.advance(MIN);
    expect(await h.scheduler.runOnce()).toBe(1);
    await h.failures!.idle();
    h.clock.advance(MIN);
    expect(await h.scheduler.runOnce()).toBe(0);
    await h.failures!.idle();

    expect(reports!.received).toHaveLength(1);
    const [post] = reports!.received;
    expect(post!.url).toBe('/dalga-failures');
    expect(post!.headers['content-type']).toBe('application/json');
    expect(post!.headers['dalga-report']).toBe('gave-up');
    const report = JSON.parse(post!.body);
    expect(report).toMatchObject({
      reason: 'gave-up',
      job: { path: 'report', body: 'daily', interval: 'P0D', location: 'UTC', next_run: null, last_status: '500', failures: 2 },
      instance_id: h.instanceId,
    });
    expect(report.why).toMatch(/^retries exhausted \(jobs.retryStopAfter\) after 2 attempts; last: 500$/);
    expect(report.attempts.map((a: any) => [a.status, a.outcome, a.attempt])).toEqual([
      ['500', 'gave-up', 2],
      ['500', 'retry', 1],
    ]);
    // Signed like a delivery (Standard Webhooks).
    const id = String(post!.headers['webhook-id']);
    const ts = String(post!.headers['webhook-timestamp']);
    const expected = createHmac('sha256', decodeSigningKey(KEY)).update(`${id}.${ts}.${post!.body}`, 'utf8').digest('base64');
    expect(post!.headers['webhook-signature']).toBe(`v1,${expected}`);
  });

  it('reports a job dalga disables itself', async () => {
    h = await start();
    await h.store.putJob({ path: 'broken', body: 'row', interval: 'every tuesday', location: 'UTC', nextRun: h.clock.now(), nextSched: h.clock.now() });
    expect(await h.scheduler.runOnce()).toBe(1);
    await h.failures!.idle();
    expect(reports!.received).toHaveLength(1);
    expect(JSON.parse(reports!.received[0]!.body)).toMatchObject({ reason: 'disabled', job: { path: 'broken', next_run: null } });
  });

  it('with failureAfter, reports a job that keeps failing once, when the count is reached', async () => {
    h = await start({ failureAfter: 2 });
    h.endpoint.respond = 503;
    expect((await h.api('PUT', '/jobs/flaky/1?interval=PT1H&immediate=true')).status).toBe(201);
    for (let i = 0; i < 4; i++) {
      expect(await h.scheduler.runOnce()).toBe(1);
      await h.failures!.idle();
      h.clock.advance(MIN);
    }
    expect(reports!.received.map((r) => JSON.parse(r.body).reason)).toEqual(['failing']);
    expect(JSON.parse(reports!.received[0]!.body).why).toBe('2 attempts in a row failed (endpoint.failureAfter); last: 503');
  });

  it('retries a report the receiver refused, with the same id, and never holds deliveries back', async () => {
    h = await start({ retry: { stopAfterMs: 1 }, signingKey: KEY });
    h.endpoint.respond = 500;
    const answers = [503, 200];
    reports!.respond = () => answers.shift() ?? 200;
    expect((await h.api('PUT', '/jobs/once/1?one-off=true&immediate=true')).status).toBe(201);
    expect(await h.scheduler.runOnce()).toBe(1);
    await expect.poll(() => reports!.received.length).toBe(1);
    // Deliveries go on while the report waits for its retry.
    expect((await h.api('PUT', '/jobs/other/1?one-off=true&immediate=true')).status).toBe(201);
    h.endpoint.respond = 200;
    expect(await h.scheduler.runOnce()).toBe(1);
    expect(h.endpoint.received.map((r) => r.url)).toEqual(['/once', '/other']);
    // The retry comes after the deliveries' retry interval, as the same message.
    h.clock.advance(MIN);
    await h.failures!.idle();
    expect(reports!.received).toHaveLength(2);
    expect(reports!.received[1]!.headers['webhook-id']).toBe(reports!.received[0]!.headers['webhook-id']);
    expect(reports!.received[1]!.body).toBe(reports!.received[0]!.body);
  });
});

describe('dalga ls --state', () => {
  async function ls(harness: Harness, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    const io = { stdout: { write: (s: string) => ((stdout += s), true) }, stderr: { write: (s: string) => ((stderr += s), true) }, env: {}, cwd: '/', now: () => harness.clock.now() };
    const code = await runCli(['--url', harness.apiUrl, 'ls', ...args], io, '0.0.0');
    return { code, stdout, stderr };
  }
  const paths = (out: string): string[] => (JSON.parse(out) as { path: string }[]).map((j) => j.path).sort();

  it('lists failing, gave-up and disabled jobs', async () => {
    h = await startHarness({ retry: { stopAfterMs: 90_000 } });
    h.endpoint.respond = (post) => (post.url === '/ok' ? 200 : 500);
    for (const put of ['/jobs/ok/1?interval=PT1H&immediate=true', '/jobs/flaky/1?interval=PT1H&immediate=true', '/jobs/dead/1?one-off=true&immediate=true', '/jobs/paused/1?interval=PT1H']) {
      expect((await h.api('PUT', put)).status).toBe(201);
    }
    expect((await h.api('PATCH', '/jobs/paused/1?disable=true')).status).toBe(200);
    expect(await h.scheduler.runOnce()).toBe(3);
    h.clock.advance(MIN);
    // Both fail again and their next retry would be past 90 s: both give up. flaky (periodic)
    // moves on to its next occurrence, still failing; dead (one-off) is disabled.
    expect(await h.scheduler.runOnce()).toBe(2);
    const flaky = (await h.api('GET', '/jobs/flaky/1')).json as { next_run: string; next_sched: string };
    expect(flaky.next_run).toBe(flaky.next_sched);
    expect(paths((await ls(h, '--state', 'failing', '--json')).stdout)).toEqual(['flaky']);
    expect(paths((await ls(h, '--state', 'gave-up', '--json')).stdout)).toEqual(['dead', 'flaky']);
    expect(paths((await ls(h, '--state', 'disabled', '--json')).stdout)).toEqual(['dead', 'paused']);
    const table = await ls(h, '--state', 'gave-up');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^dead +1 /m);
    const bad = await ls(h, '--state', 'broken');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^dalga: .*--state/);
  });
});
