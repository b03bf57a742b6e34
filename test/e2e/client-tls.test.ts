import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DALGA_BIN, cleanEnv, spawnDaemon } from '../support/daemon.js';

// bin/dalga hands NODE_EXTRA_CA_CERTS to client commands as DALGA_EXTRA_CA_CERTS (Node 20 would
// otherwise parse its whole root store at every start). These tests hold it to Node's meaning:
// a daemon URL whose certificate the extra file vouches for is trusted, one it does not is not.

const TLS = resolve(import.meta.dirname, '../fixtures/tls');
const CERT = join(TLS, 'cert.pem');

let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer({ cert: readFileSync(CERT), key: readFileSync(join(TLS, 'key.pem')) }, (req, res) => {
    // Any answer proves the TLS handshake passed; 404 on a job is "job not found", exit 4.
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('job not found\n');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `https://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

interface Run {
  code: number | null;
  stderr: string;
}

/** `dalga get a b` against the https server; `viaNode` runs `node bin/dalga` instead of the shebang. */
function get(env: Record<string, string>, viaNode = false): Promise<Run> {
  const args = ['get', 'a', 'b', '--url', url];
  const base = cleanEnv();
  delete base.NODE_EXTRA_CA_CERTS;
  const proc = viaNode
    ? spawn(process.execPath, [DALGA_BIN, ...args], { env: { ...base, ...env } })
    : spawn(DALGA_BIN, args, { env: { ...base, ...env } });
  let stderr = '';
  proc.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  proc.stdout.resume();
  return new Promise((res) => proc.on('close', (code) => res({ code, stderr })));
}

describe('client over https with NODE_EXTRA_CA_CERTS', () => {
  it('trusts the extra certificates when run through its shebang', async () => {
    const r = await get({ NODE_EXTRA_CA_CERTS: CERT });
    expect(r.stderr).toContain('job not found — a b');
    expect(r.code).toBe(4);
  });

  it('trusts them when run as `node bin/dalga` (Node loads the file itself)', async () => {
    const r = await get({ NODE_EXTRA_CA_CERTS: CERT }, true);
    expect(r.stderr).toContain('job not found — a b');
    expect(r.code).toBe(4);
  });

  it('rejects the certificate without them', async () => {
    const r = await get({});
    expect(r.stderr).toMatch(/^dalga: cannot reach dalga at https:\/\/127\.0\.0\.1:\d+/);
    expect(r.code).toBe(5);
  });

  it('warns like Node about an unreadable file and goes on with the bundled roots', async () => {
    const r = await get({ NODE_EXTRA_CA_CERTS: join(TLS, 'missing.pem') });
    expect(r.stderr).toContain('Warning: Ignoring extra certs from `');
    expect(r.stderr).toContain('missing.pem');
    expect(r.code).toBe(5);
  });
});

describe('bin/dalga start-up line', () => {
  it('leaves NODE_EXTRA_CA_CERTS to Node for `serve` (its https deliveries use it natively)', async () => {
    const daemon = await spawnDaemon({ viaShebang: true, env: { NODE_EXTRA_CA_CERTS: CERT } });
    const environ = readFileSync(`/proc/${daemon.proc.pid}/environ`, 'utf8').split('\0');
    expect(environ).toContain(`NODE_EXTRA_CA_CERTS=${CERT}`);
    expect(environ.some((e) => e.startsWith('DALGA_EXTRA_CA_CERTS='))).toBe(false);
    await daemon.stop();
  });
});
