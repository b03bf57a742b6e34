import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { cleanEnv, DALGA_BIN, spawnDaemon, type SpawnedDaemon } from '../support/daemon.js';
import { startEndpoint, type TestEndpoint } from '../support/endpoint.js';

// Issue 7 on the built `bin/dalga serve`: the token and signing key wired from the
// environment, the exposure warning, and secrets kept out of every line it writes.

const TOKEN = `tok-${randomBytes(12).toString('hex')}`;
const SIGNING_KEY = `whsec_${randomBytes(32).toString('base64')}`;
const MYSQL_PASSWORD = `pw-${randomBytes(12).toString('hex')}`;
const URL_PASSWORD = `url-${randomBytes(12).toString('hex')}`;
/** Each secret, and the parts of it that would show up if it were logged in pieces. */
const SECRETS = [TOKEN, SIGNING_KEY, SIGNING_KEY.slice('whsec_'.length, 30), MYSQL_PASSWORD, URL_PASSWORD];

function expectNoSecrets(text: string): void {
  for (const secret of SECRETS) expect(text, `secret ${secret} leaked`).not.toContain(secret);
}

interface Run {
  code: number | null;
  stderr: string;
  stdout: string;
}

/** Runs `bin/dalga` to its end (bounded), with only the given DALGA_* variables. */
function runDalga(args: string[], env: Record<string, string>): Promise<Run> {
  const cwd = mkdtempSync(join(tmpdir(), 'dalga-sec-'));
  return new Promise((resolve) => {
    execFile(process.execPath, [DALGA_BIN, ...args], { cwd, env: { ...cleanEnv(), ...env }, timeout: 25_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : null;
      resolve({ code, stdout, stderr });
    });
  });
}

// Daemons and endpoints still running after a test are stopped by test/support/setup.ts.
let daemon: SpawnedDaemon | undefined;
let endpoint: TestEndpoint | undefined;

describe('serve with a token and a signing key', () => {
  it('requires the token, signs deliveries, and never writes a secret, even with --debug', async () => {
    endpoint = await startEndpoint();
    const base = new URL(endpoint.baseUrl);
    daemon = await spawnDaemon({
      args: ['--debug'],
      env: {
        DALGA_LISTEN_TOKEN: TOKEN,
        DALGA_ENDPOINT_SIGNINGKEY: SIGNING_KEY,
        DALGA_MYSQL_PASSWORD: MYSQL_PASSWORD,
        // MySQL settings alone would select MySQL; this run is about what gets logged.
        DALGA_STORE: 'sqlite',
        DALGA_ENDPOINT_BASEURL: `http://hook:${URL_PASSWORD}@${base.host}/`,
      },
    });
    const auth = { authorization: `Bearer ${TOKEN}` };
    expect((await fetch(`${daemon.url}/status`)).status).toBe(401);
    expect((await fetch(`${daemon.url}/status`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await fetch(`${daemon.url}/status`, { headers: auth })).status).toBe(200);
    expect((await fetch(`${daemon.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${daemon.url}/jobs/a/b?interval=60`, { method: 'PUT' })).status).toBe(401);

    // A delivery, signed; it fails (the URL carries user info undici refuses or the endpoint
    // ignores) or succeeds — either way it is logged, and the log must stay clean.
    const put = await fetch(`${daemon.url}/jobs/signed/${encodeURIComponent('{"n":1}')}?one-off=true&immediate=true`, { method: 'PUT', headers: auth });
    expect(put.status).toBe(201);
    const [post] = await endpoint.waitFor(1);
    const headers = Object.fromEntries(Object.entries(post!.headers).map(([k, v]) => [k, String(v)]));
    expect(new Webhook(SIGNING_KEY).verify(post!.body, headers)).toEqual({ n: 1 });

    expect(await daemon.stop('SIGTERM')).toBe(0);
    const stderr = daemon.stderr();
    expect(stderr).toMatch(/"level":20/); // --debug took effect
    expect(stderr).toContain('[redacted]'); // the endpoint URL's password
    expectNoSecrets(stderr);
  });

  it('warns loudly when listening beyond loopback without a token, and not with one', async () => {
    daemon = await spawnDaemon({ args: ['--listen-host', '0.0.0.0'] });
    await expect.poll(() => daemon!.stderr()).toMatch(/listen\.host is \\"0\.0\.0\.0\\" and listen\.token is not set: anyone who can reach this port/);
    expect(daemon.stderr()).toMatch(/"level":40[^\n]*listen\.token is not set/);
    await daemon.stop('SIGTERM');

    daemon = await spawnDaemon({ args: ['--listen-host', '0.0.0.0'], env: { DALGA_LISTEN_TOKEN: TOKEN } });
    expect((await fetch(`${daemon.url}/status`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    await daemon.stop('SIGTERM');
    expect(daemon.stderr()).not.toMatch(/listen\.token is not set/);
    expectNoSecrets(daemon.stderr());
  });

  it('stays quiet about exposure on loopback without a token', async () => {
    daemon = await spawnDaemon();
    await daemon.stop('SIGTERM');
    expect(daemon.stderr()).toMatch(/dalga \S+ listening on /);
    expect(daemon.stderr()).not.toMatch(/listen\.token is not set/);
  });
});

describe('start-up failures keep secrets out of their one line', () => {
  it('refuses a malformed signing key: exit 3, naming the key, not its value', async () => {
    const badKey = `whsec_${TOKEN}!`;
    const run = await runDalga(['serve', '--listen-port', '0'], { DALGA_ENDPOINT_SIGNINGKEY: badKey });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/^dalga: invalid config endpoint\.signingKey: must be "whsec_" followed by base64 .* — from DALGA_ENDPOINT_SIGNINGKEY\n$/);
    expect(run.stderr).not.toContain(TOKEN);
  });

  it('a MySQL server that refuses the password: the error names no password', async () => {
    const run = await runDalga(['serve', '--listen-port', '0', '--debug'], {
      DALGA_STORE: 'mysql',
      DALGA_MYSQL_HOST: '127.0.0.1',
      DALGA_MYSQL_USER: 'root',
      DALGA_MYSQL_PASSWORD: MYSQL_PASSWORD,
      DALGA_MYSQL_DIALTIMEOUT: '5s',
      DALGA_LISTEN_TOKEN: TOKEN,
      DALGA_ENDPOINT_SIGNINGKEY: SIGNING_KEY,
    });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/access denied|cannot connect|unavailable/i);
    // --debug prints the stack and causes on purpose; the secrets must not be in them either.
    expectNoSecrets(run.stderr);
  });

  it('a MySQL server that cannot be reached: the error names no password', async () => {
    const run = await runDalga(['serve', '--listen-port', '0', '--debug'], {
      DALGA_STORE: 'mysql',
      DALGA_MYSQL_HOST: '127.0.0.1',
      DALGA_MYSQL_PORT: '1',
      DALGA_MYSQL_PASSWORD: MYSQL_PASSWORD,
      DALGA_MYSQL_DIALTIMEOUT: '2s',
      DALGA_LISTEN_TOKEN: TOKEN,
    });
    expect(run.code).not.toBe(0);
    // --debug prints the stack and causes on purpose; the secrets must not be in them either.
    expectNoSecrets(run.stderr);
  });
});
