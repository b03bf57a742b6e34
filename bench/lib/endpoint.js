// Starts bench/endpoint-server.js in its own process and talks to it over IPC.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { readCpuMs, stopChild, track } from './proc.js';

const SERVER = fileURLToPath(new URL('../endpoint-server.js', import.meta.url));

export async function startEndpoint() {
  const child = track(fork(SERVER, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  const pending = [];
  child.on('message', (msg) => {
    const i = pending.findIndex((p) => p.type === msg.type);
    if (i >= 0) pending.splice(i, 1)[0].resolve(msg);
  });
  const request = (type, payload = {}) =>
    new Promise((resolve, reject) => {
      pending.push({ type: type === 'reset' ? 'reset-done' : type, resolve });
      if (type !== 'listening') child.send({ type, ...payload }, (err) => err && reject(err));
    });
  const listening = await Promise.race([
    request('listening'),
    new Promise((_, reject) => child.once('exit', (code) => reject(new Error(`endpoint exited with ${code}`)))),
  ]);
  return {
    baseUrl: `http://127.0.0.1:${listening.port}/`,
    pid: child.pid,
    /** Forget everything; expect job indexes 0..n-1; record lateness when asked. */
    reset: async (n, { lateness = false } = {}) => {
      await request('reset', { n, lateness });
    },
    stats: async () => (await request('stats')).stats,
    cpuMs: () => readCpuMs(child.pid),
    close: () => stopChild(child, 2000),
  };
}
