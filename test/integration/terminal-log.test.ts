import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DEFAULTS, type Config } from '../../src/config/schema.js';
import { startDaemon } from '../../src/daemon.js';
import { createLogger } from '../../src/log.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { startEndpoint } from '../support/endpoint.js';

// What a new user sees on a terminal after the quick start: each delivery as one line, with the
// URL it went to, at the default level; a failure names the URL too.
describe('the daemon log on a terminal', () => {
  it('shows each delivery in one line at info, with its URL', async () => {
    const out = new PassThrough();
    Object.assign(out, { isTTY: true });
    let text = '';
    out.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    const log = await createLogger({ level: 'info', destination: out });
    const endpoint = await startEndpoint();
    endpoint.respond = (post) => (post.url === '/term_fail' ? 500 : 200);
    const config = structuredClone(DEFAULTS) as Config;
    config.listen.port = 0;
    config.endpoint.baseurl = endpoint.baseUrl;
    const store = await openSqliteStore({ path: ':memory:', table: 'dalga' });
    const daemon = await startDaemon(config, log, { store, logDeliveriesAtInfo: true, configFile: null });
    try {
      for (const path of ['term_ok', 'term_fail']) {
        expect((await fetch(`${daemon.url}/jobs/${path}/1?one-off=true&immediate=true`, { method: 'PUT' })).status).toBe(201);
      }
      await endpoint.waitFor(2);
      const plain = (): string => text.replace(/\x1b\[[0-9;]*m/g, '');
      await expect.poll(() => /delivery failed/.test(plain()) && /delivered:/.test(plain())).toBe(true);
      const lines = plain().split('\n');
      expect(lines.find((l) => l.includes('delivered:'))).toMatch(new RegExp(`INFO: delivered: POST ${endpoint.baseUrl}term_ok "1" → 200 \\(in \\d+ ms\\)$`));
      expect(lines.find((l) => l.includes('delivery failed'))).toMatch(new RegExp(`WARN: delivery failed; will retry: POST ${endpoint.baseUrl}term_fail "1" → 500 \\(in \\d+ ms, failures 1, next run \\S+\\)$`));
      expect(lines.find((l) => l.includes('listening on'))).toMatch(/INFO: dalga \S+ listening on http:\/\/127\.0\.0\.1:\d+ url=\S+ version=\S+ config="\(none: defaults and environment\)" store=\S+ endpoint=\S+$/);
    } finally {
      await daemon.stop();
      await store.close();
      await endpoint.close();
    }
  });
});
