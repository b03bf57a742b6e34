import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createClient, type DalgaClient } from '../../../src/client/client.js';
import type { JobJson } from '../../../src/client/types.js';
import { DaemonUnavailableError, NotFoundError, UnauthorizedError, UsageError } from '../../../src/errors.js';

// The client against a real HTTP server on a free port, scripted per test, to see exactly what
// goes over the wire and how each kind of answer is turned into an error.

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

const JOB: JobJson = {
  path: 'p',
  body: 'b',
  interval: 'PT60S',
  location: 'UTC',
  next_run: '2026-11-28T09:00:42Z',
  next_sched: '2026-11-28T09:00:42Z',
  instance_id: null,
  last_run: null,
  last_status: null,
  failures: 0,
};

function hasIPv6Loopback(): boolean {
  return Object.values(networkInterfaces()).some((list) => list?.some((i) => i.internal && i.family === 'IPv6'));
}

let server: Server;
let baseURL: string;
let seen: Seen[];
let answer: (req: Seen, res: ServerResponse) => void;

beforeEach(async () => {
  seen = [];
  answer = (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(JOB));
  };
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const s = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      seen.push(s);
      answer(s, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function text(status: number, body: string): (req: Seen, res: ServerResponse) => void {
  return (_req, res) => {
    res.writeHead(status, { 'Content-Type': 'text/plain' }).end(body);
  };
}

function client(token?: string): DalgaClient {
  return createClient({ baseURL, ...(token ? { token } : {}) });
}

describe('requests', () => {
  it('encodes path and body as single segments', async () => {
    await client().get('a/b?c#d+e %', 'x/../y');
    expect(seen[0]).toMatchObject({ method: 'GET', url: '/jobs/a%2Fb%3Fc%23d%2Be%20%25/x%2F..%2Fy' });
  });

  it('sends dot segments as they are, without resolving them', async () => {
    await client().get('..', '.');
    await client().get('%2e%2e', 'a');
    expect(seen.map((s) => s.url)).toEqual(['/jobs/../.', '/jobs/%252e%252e/a']);
  });

  it.skipIf(!hasIPv6Loopback())('reaches an IPv6 loopback daemon', async () => {
    const v6 = createServer((_req, res) => res.writeHead(200).end(JSON.stringify(JOB)));
    await new Promise<void>((resolve) => v6.listen(0, '::1', resolve));
    try {
      const port = (v6.address() as AddressInfo).port;
      await expect(createClient({ baseURL: `http://[::1]:${port}` }).get('p', 'b')).resolves.toEqual(JOB);
    } finally {
      v6.closeAllConnections();
      await new Promise<void>((resolve) => v6.close(() => resolve()));
    }
  });

  it('schedules with PUT and a form body, and sends the bearer token', async () => {
    answer = (_req, res) => {
      res.writeHead(201, { 'Content-Type': 'application/json' }).end(JSON.stringify(JOB));
    };
    const job = await client('s3cret').schedule('p', 'b', { interval: 'PT60S', firstRun: '2030-01-02T06:00:00Z', oneOff: true, immediate: false, location: 'Europe/Istanbul' });
    expect(job).toEqual(JOB);
    const req = seen[0]!;
    expect(req.method).toBe('PUT');
    expect(req.url).toBe('/jobs/p/b');
    expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(req.headers.authorization).toBe('Bearer s3cret');
    expect(Object.fromEntries(new URLSearchParams(req.body))).toEqual({
      interval: 'PT60S',
      'first-run': '2030-01-02T06:00:00Z',
      'one-off': 'true',
      location: 'Europe/Istanbul',
    });
  });

  it('sends no Authorization header without a token', async () => {
    await client().status();
    expect(seen[0]!.headers.authorization).toBeUndefined();
    expect(seen[0]!.url).toBe('/status');
  });

  it('enables, disables and cancels with PATCH and DELETE', async () => {
    const c = client();
    await c.enable('p', 'b');
    await c.disable('p', 'b');
    answer = (_req, res) => res.writeHead(204).end();
    await expect(c.cancel('p', 'b')).resolves.toBeUndefined();
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual(['PATCH /jobs/p/b?enable=true', 'PATCH /jobs/p/b?disable=true', 'DELETE /jobs/p/b']);
  });

  it('lists with the query parameters of the API and continues with the cursor', async () => {
    answer = (_req, res) => res.writeHead(200).end(JSON.stringify({ jobs: [JOB], cursor: 'abc' }));
    const c = client();
    await c.list({ path: 'a b', sortBy: 'next-run', reverse: true, limit: 5 });
    await c.list();
    await c.listContinue('x+y/z=');
    expect(seen.map((s) => s.url)).toEqual(['/jobs?path=a+b&sort-by=next-run&reverse=true&limit=5', '/jobs', '/jobs/continue?cursor=x%2By%2Fz%3D']);
  });

  it('keeps a path prefix of the base URL', async () => {
    await createClient({ baseURL: `${baseURL}/dalga` }).get('p', 'b');
    await createClient({ baseURL: `${baseURL}/dalga/` }).status();
    expect(seen.map((s) => s.url)).toEqual(['/dalga/jobs/p/b', '/dalga/status']);
  });
});

describe('errors', () => {
  it('400 is a usage error with the server text', async () => {
    answer = text(400, 'cannot parse interval\n');
    const attempt = client().schedule('p', 'b', { interval: 'x' });
    await expect(attempt).rejects.toBeInstanceOf(UsageError);
    await expect(attempt).rejects.toThrow(/^cannot parse interval$/);
  });

  it('401 tells how to pass a token, or that the token given was refused', async () => {
    answer = text(401, 'unauthorized\n');
    const missing = client().status();
    await expect(missing).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(missing).rejects.toBeInstanceOf(UsageError);
    await expect(missing).rejects.toThrow('unauthorized: the daemon needs a token — pass --token or set DALGA_TOKEN');
    await expect(client('wrong').status()).rejects.toThrow(
      'unauthorized: wrong token — check --token or DALGA_TOKEN against listen.token of the daemon',
    );
  });

  it('404 of a job names the job', async () => {
    answer = text(404, 'job not found\n');
    const attempt = client().get('check_feed', '1234');
    await expect(attempt).rejects.toBeInstanceOf(NotFoundError);
    await expect(attempt).rejects.toThrow('job not found — check_feed 1234');
  });

  it('404 elsewhere means this is not a dalga daemon', async () => {
    answer = text(404, 'nope\n');
    await expect(client().status()).rejects.toBeInstanceOf(DaemonUnavailableError);
  });

  it('5xx is the daemon failing, with its text', async () => {
    answer = text(503, 'database unavailable\n');
    const attempt = client().get('p', 'b');
    await expect(attempt).rejects.toBeInstanceOf(DaemonUnavailableError);
    await expect(attempt).rejects.toThrow('database unavailable');
  });

  it('an answer that is not JSON is not from dalga', async () => {
    answer = text(200, '<html>hello</html>');
    await expect(client().get('p', 'b')).rejects.toThrow(/not JSON/);
  });

  it('a refused connection says how to point at the daemon', async () => {
    const port = (server.address() as AddressInfo).port;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    server = createServer().listen(0); // for afterEach
    const attempt = createClient({ baseURL: `http://127.0.0.1:${port}` }).get('p', 'b');
    await expect(attempt).rejects.toBeInstanceOf(DaemonUnavailableError);
    await expect(attempt).rejects.toThrow(`cannot reach dalga at http://127.0.0.1:${port} — is \`dalga serve\` running? (set --url or DALGA_URL)`);
  });

  it('an https URL to a plain-HTTP daemon says so, not that the daemon is down', async () => {
    const attempt = createClient({ baseURL: baseURL.replace(/^http:/, 'https:') }).status();
    await expect(attempt).rejects.toBeInstanceOf(DaemonUnavailableError);
    await expect(attempt).rejects.toThrow(`${baseURL.replace(/^http:/, 'https:')} does not speak TLS — it answers plain HTTP: use ${baseURL}`);
  });

  it('never shows credentials of the URL in a message', async () => {
    const attempt = createClient({ baseURL: 'http://user:hunter2@no-such-host.invalid:1/' }).status();
    await expect(attempt).rejects.toThrow('cannot reach dalga at http://no-such-host.invalid:1 —');
    await expect(attempt).rejects.not.toThrow(/hunter2/);
  });

  it('a daemon that does not answer in time is unreachable', async () => {
    answer = () => {}; // never answers
    const attempt = createClient({ baseURL, timeoutMs: 50 }).get('p', 'b');
    await expect(attempt).rejects.toBeInstanceOf(DaemonUnavailableError);
  });

  it('an unknown host is unreachable', async () => {
    await expect(createClient({ baseURL: 'http://no-such-host.invalid:1' }).status()).rejects.toBeInstanceOf(DaemonUnavailableError);
  });

  it('refuses a bad base URL or an empty path or body before any request', async () => {
    expect(() => createClient({ baseURL: 'not a url' })).toThrow(UsageError);
    expect(() => createClient({ baseURL: 'ftp://x' })).toThrow(UsageError);
    await expect(client().get('', 'b')).rejects.toThrow(UsageError);
    await expect(client().cancel('p', '')).rejects.toThrow(UsageError);
    expect(seen).toEqual([]);
  });
});
