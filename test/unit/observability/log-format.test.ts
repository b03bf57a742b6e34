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
    expect(plain).toMatch(/path=check_feed/);
    expect(plain).toMatch(/DEBUG.*a debug line/);
    expect(plain).not.toContain('hide-me');
    for (const line of plain.split('\n').filter((l) => /^\S/.test(l))) expect(() => JSON.parse(line)).toThrow();
  });

  it('says each event in one line; a delivery names its URL, its answer and what comes next', async () => {
    const out = new PassThrough();
    Object.assign(out, { isTTY: true });
    let text = '';
    out.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    const log = await createLogger({ level: 'info', destination: out });
    const delivery = { path: 'check_feed', body: '1234', sched: '2030-01-01T00:00:00.000Z', durationMs: 3, latenessMs: 1 };
    log.info({ ...delivery, url: 'http://127.0.0.1:5000/check_feed', status: 200, outcome: 'success', nextRun: '2030-01-01T00:01:00.000Z', failures: 0 }, 'delivered');
    log.warn({ ...delivery, url: 'http://127.0.0.1:5000/check_feed', error: 'connection refused', outcome: 'retried', nextRun: '2030-01-01T00:01:00.000Z', failures: 1 }, 'delivery failed; will retry');
    log.info({ url: 'http://127.0.0.1:34006', version: '0.1.0', config: '/etc/dalga/dalga.toml', store: 'sqlite:/var/lib/dalga/dalga.sqlite' }, 'dalga 0.1.0 listening on http://127.0.0.1:34006');
    const lines = text.replace(/\x1b\[[0-9;]*m/g, '').split('\n').filter((l) => l !== '');
    expect(lines, JSON.stringify(text)).toHaveLength(3);
    expect(lines[0]).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: delivered: POST http:\/\/127\.0\.0\.1:5000\/check_feed "1234" → 200 \(in 3 ms, next run 2030-01-01T00:01:00\.000Z\)$/);
    expect(lines[1]).toMatch(/WARN: delivery failed; will retry: POST http:\/\/127\.0\.0\.1:5000\/check_feed "1234" → connection refused \(in 3 ms, failures 1, next run 2030-01-01T00:01:00\.000Z\)$/);
    expect(lines[2]).toMatch(/INFO: dalga 0\.1\.0 listening on http:\/\/127\.0\.0\.1:34006 url=http:\/\/127\.0\.0\.1:34006 version=0\.1\.0 config=\/etc\/dalga\/dalga\.toml store=sqlite:\/var\/lib\/dalga\/dalga\.sqlite$/);
  });
});
