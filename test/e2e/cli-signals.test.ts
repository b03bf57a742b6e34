import { spawn } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DALGA_BIN, cleanEnv } from '../support/daemon.js';

// Ctrl-C during a request that never gets an answer ends the built CLI with status 130.

let server: Server;
let url: string;
const sockets: Socket[] = [];
let connected: () => void;
const firstConnection = new Promise<void>((resolve) => (connected = resolve));

beforeAll(async () => {
  // Accepts connections and never answers.
  server = createServer((socket) => {
    sockets.push(socket);
    connected();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('SIGINT', () => {
  it('ends a client command with 130', async () => {
    const proc = spawn(process.execPath, [DALGA_BIN, 'get', 'a', 'b', '--url', url], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    proc.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
    // The request is in flight once the server sees the connection.
    await firstConnection;
    proc.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stdout).toBe('');
  });
});
