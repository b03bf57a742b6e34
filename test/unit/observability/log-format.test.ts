import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/log.js';

// On a terminal the daemon's log is for people: readable lines, not JSON.

describe('createLogger on a terminal', () => {
  it('writes readable lines with the level and the fields, not JSON', async () => {
    const out = new PassThrough();
    Object.assign(out, { isTTY: true });
    let text = '';
    out.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    const log = await createLogger({ level: 'debug', destination: out });
    log.warn({ path: 'check_feed', status: 500, token: 'hide-me' }, 'delivery failed; will retry');
    log.debug('a debug line');
    const plain = text.replace(/\x1b\[[0-9;]*m/g, '');
    expect(plain).toMatch(/WARN.*delivery failed; will retry/);
    expect(plain).toMatch(/path: "check_feed"/);
    expect(plain).toMatch(/DEBUG.*a debug line/);
    expect(plain).not.toContain('hide-me');
    for (const line of plain.split('\n').filter((l) => /^\S/.test(l))) expect(() => JSON.parse(line)).toThrow();
  });
});
