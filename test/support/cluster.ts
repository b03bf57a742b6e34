// Helpers for the e2e tests that run several `bin/dalga serve` on one shared store.
import { expect } from 'vitest';
import { spawnDaemon, type SpawnedDaemon } from './daemon.js';
import type { ReceivedPost } from './endpoint.js';

/**
 * Starts `bin/dalga serve` with `env` and adds it to `daemons` (which the file's afterEach
 * stops), with the instance id it logged at start-up.
 */
export async function spawnInstance(daemons: SpawnedDaemon[], env: Record<string, string>): Promise<SpawnedDaemon & { id: string }> {
  const d = await spawnDaemon({ env });
  daemons.push(d);
  const id = /"instance":(\d+)/.exec(d.stderr())?.[1];
  if (id === undefined) throw new Error(`no instance id in the start-up log:\n${d.stderr()}`);
  return Object.assign(d, { id });
}

/** PUT /jobs/<path>?<query> on a daemon; anything but 201 (stored) fails the test with the answer. */
export async function putJob(url: string, path: string, query: string): Promise<void> {
  const res = await fetch(`${url}/jobs/${path}?${query}`, { method: 'PUT' });
  expect(res.status, await res.text()).toBe(201);
}

/** The instance that made a delivery (its Dalga-Instance header). */
export function instanceOf(post: ReceivedPost | undefined): string {
  return String(post?.headers['dalga-instance']);
}
