import { connect } from 'node:net';
import { Agent, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { startHttpServer, type ListenOptions, type RunningHttpServer } from '../../src/server/http-server.js';

const LISTEN: ListenOptions = { host: '127.0.0.1', port: 0, idleTimeout: 60_000, readTimeout: 10_000, writeTimeout: 10_000 };

const started: RunningHttpServer[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.close(0)));
});

async function start(handler: (req: IncomingMessage, res: ServerResponse) => void, listen: Partial<ListenOptions> = {}): Promise<RunningHttpServer> {
  const running = await startHttpServer(handler, { ...LISTEN, ...listen });
  started.push(running);
  return running;
}

function get(url: string, agent?: Agent): Promise<{ status: number; body: string; headers: IncomingMessage['headers'] }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: agent ?? false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const hello = (_req: IncomingMessage, res: ServerResponse): void => {
  res.end('hello');
};

describe('startHttpServer', () => {
  it('binds port 0 to a free port and reports it in url', async () => {
    const running = await start(hello);
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(running.url).not.toMatch(/:0$/);
    expect(await get(`${running.url}/x`)).toMatchObject({ status: 200, body: 'hello' });
  });

  it('applies the idle and read timeouts to the node server', async () => {
    const running = await start(hello, { idleTimeout: 1234, readTimeout: 5678 });
    expect(running.server.keepAliveTimeout).toBe(1234);
    expect(running.server.headersTimeout).toBe(5678);
    expect(running.server.requestTimeout).toBe(5678);
  });

  it('uses the read timeout as idle timeout when idle is 0, as Go does', async () => {
    const running = await start(hello, { idleTimeout: 0, readTimeout: 4321 });
    expect(running.server.keepAliveTimeout).toBe(4321);
  });

  it('answers 503 and closes the connection when nothing was answered within the write timeout', async () => {
    const running = await start(() => undefined, { writeTimeout: 50 });
    const res = await get(`${running.url}/slow`);
    expect(res.status).toBe(503);
    expect(res.headers.connection).toBe('close');
    expect(res.body).toBe('no answer within listen.writeTimeout (50 ms) — the database did not answer in time; try again\n');
  });

  it('cuts a response that started but outlives the write timeout', async () => {
    const running = await start((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.write('partial');
    }, { writeTimeout: 50 });
    await expect(get(`${running.url}/slow`)).rejects.toThrow(/socket hang up|ECONNRESET|aborted|terminated/);
  });

  it('cuts, without a 503, a request whose body is still arriving at the write timeout', async () => {
    const running = await start(() => undefined, { writeTimeout: 50 });
    const socket = connect(Number(new URL(running.url).port), '127.0.0.1');
    let received = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
    socket.write('PUT /jobs/a/b HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\ninterval=6');
    await new Promise<void>((resolve) => socket.on('close', () => resolve()));
    expect(received).toBe('');
  });

  it('ignores what a handler writes after its 503', async () => {
    let late!: () => void;
    const wroteLate = new Promise<void>((resolve) => (late = resolve));
    const running = await start((_req, res) => {
      setTimeout(() => {
        expect(() => res.writeHead(200)).toThrow(/headers/i);
        late();
      }, 120);
    }, { writeTimeout: 50 });
    expect((await get(`${running.url}/slow`)).status).toBe(503);
    await wroteLate;
  });

  it('answers a one-line error when the address is in use', async () => {
    const first = await start(hello);
    const port = Number(new URL(first.url).port);
    const attempt = startHttpServer(hello, { ...LISTEN, port });
    await expect(attempt).rejects.toBeInstanceOf(ConfigError);
    await expect(attempt).rejects.toThrow(`cannot listen on 127.0.0.1:${port} — address already in use`);
  });

  it('lets an in-flight request finish on close and refuses new connections', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let arrived!: () => void;
    const arrival = new Promise<void>((resolve) => (arrived = resolve));
    const running = await startHttpServer(
      (_req, res) => {
        arrived();
        void released.then(() => res.end('done'));
      },
      LISTEN,
    );
    const inFlight = get(`${running.url}/work`);
    await arrival;
    let closed = false;
    const closing = running.close(20_000).then(() => (closed = true));
    await expect(get(`${running.url}/late`)).rejects.toThrow(/ECONNREFUSED/);
    expect(closed).toBe(false);
    release();
    expect(await inFlight).toMatchObject({ status: 200, body: 'done' });
    await closing;
    expect(closed).toBe(true);
  });

  it('does not wait for idle keep-alive connections on close', async () => {
    const agent = new Agent({ keepAlive: true });
    const running = await startHttpServer(hello, LISTEN);
    expect(await get(`${running.url}/a`, agent)).toMatchObject({ status: 200 });
    // Would exceed the test timeout if close waited for the idle socket's 60 s keep-alive.
    await running.close(60_000);
    expect(running.server.listening).toBe(false);
    agent.destroy();
  });

  it('destroys requests still running when the close timeout passes', async () => {
    const running = await startHttpServer(() => undefined, { ...LISTEN, writeTimeout: 0 });
    const stuck = get(`${running.url}/stuck`);
    const outcome = stuck.then(
      () => 'answered',
      () => 'cut',
    );
    await new Promise((resolve) => running.server.once('request', resolve));
    await running.close(10);
    expect(await outcome).toBe('cut');
  });
});
