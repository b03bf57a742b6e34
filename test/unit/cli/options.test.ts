import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type CliIO, type LoadListen, CONFIG_FILE_NAMES, DEFAULT_LISTEN, DEFAULT_URL, listenURL, mayHaveConfig, parseLimit, parseRefresh, resolveTarget, useColor } from '../../../src/cli/options.js';
import { SEARCH_PLACES } from '../../../src/config/file.js';
import { DEFAULTS } from '../../../src/config/schema.js';
import { ConfigError, UsageError } from '../../../src/errors.js';

function io(env: Record<string, string> = {}, cwd = '/nonexistent', isTTY = false): CliIO & { err: string[] } {
  const err: string[] = [];
  return {
    stdout: { write: () => true, isTTY },
    stderr: { write: (s: string) => err.push(s) },
    env,
    cwd,
    now: () => 0,
    err,
  };
}

const noConfig: LoadListen = async () => ({ listen: { host: '127.0.0.1', port: 34006, token: '' }, warnings: [] });
const configWith = (host: string, port: number, token: string): LoadListen => async () => ({
  listen: { host, port, token },
  file: '/etc/dalga.toml',
  warnings: ['unknown key foo'],
});
const mustNotLoad: LoadListen = async () => {
  throw new Error('config must not be loaded');
};

describe('resolveTarget', () => {
  it('uses --url and --token without reading any configuration', async () => {
    const target = await resolveTarget({ url: 'http://a:1', token: 't' }, io(), mustNotLoad);
    expect(target).toEqual({ url: 'http://a:1', token: 't', source: '--url' });
  });

  it('takes DALGA_URL and DALGA_TOKEN from the environment, flags first', async () => {
    expect(await resolveTarget({}, io({ DALGA_URL: 'http://e:2', DALGA_TOKEN: 'et' }), mustNotLoad)).toEqual({
      url: 'http://e:2',
      token: 'et',
      source: 'DALGA_URL',
    });
    expect(await resolveTarget({ url: 'http://f:3' }, io({ DALGA_URL: 'http://e:2' }), mustNotLoad)).toMatchObject({ url: 'http://f:3' });
  });

  it('falls back to the listen address and token of the configuration', async () => {
    expect(await resolveTarget({}, io(), configWith('10.0.0.5', 4000, 'secret'))).toEqual({
      url: 'http://10.0.0.5:4000',
      token: 'secret',
      source: '/etc/dalga.toml',
    });
  });

  it('knows the listen defaults of the configuration', () => {
    expect(DEFAULT_LISTEN).toEqual({ host: DEFAULTS.listen.host, port: DEFAULTS.listen.port, token: DEFAULTS.listen.token });
    expect(DEFAULT_URL).toBe('http://127.0.0.1:34006');
  });

  it('falls back to the default address', async () => {
    expect(await resolveTarget({}, io(), noConfig)).toEqual({ url: DEFAULT_URL, source: 'defaults' });
  });

  it('never sends the configured token to a daemon named by --url alone', async () => {
    const target = await resolveTarget({ url: 'http://elsewhere:1' }, io(), configWith('127.0.0.1', 1, 'secret'));
    expect(target.token).toBeUndefined();
  });

  it('with -c and --url, takes the token from that configuration', async () => {
    const target = await resolveTarget({ url: 'http://x:1', config: 'dalga.toml' }, io(), configWith('127.0.0.1', 1, 'secret'));
    expect(target).toEqual({ url: 'http://x:1', token: 'secret', source: '--url' });
  });

  it('prints configuration warnings only with --debug', async () => {
    const quiet = io();
    await resolveTarget({}, quiet, configWith('h', 1, ''));
    expect(quiet.err).toEqual([]);
    const loud = io();
    await resolveTarget({ debug: true }, loud, configWith('h', 1, ''));
    expect(loud.err.join('')).toContain('unknown key foo');
  });

  describe('with the real configuration loader', () => {
    let dir: string | undefined;
    afterEach(() => {
      if (dir) rmSync(dir, { recursive: true, force: true });
      dir = undefined;
    });

    it('reads listen.host, listen.port and listen.token from -c', async () => {
      dir = mkdtempSync(join(tmpdir(), 'dalga-cli-'));
      writeFileSync(join(dir, 'my.toml'), '[listen]\nhost = "0.0.0.0"\nport = 4567\ntoken = "s3cret"\n');
      expect(await resolveTarget({ config: 'my.toml' }, io({}, dir))).toEqual({
        url: 'http://127.0.0.1:4567',
        token: 's3cret',
        source: join(dir, 'my.toml'),
      });
    });

    it('applies DALGA_LISTEN_PORT without a file', async () => {
      dir = mkdtempSync(join(tmpdir(), 'dalga-cli-'));
      expect((await resolveTarget({}, io({ DALGA_LISTEN_PORT: '4999' }, dir))).url).toBe('http://127.0.0.1:4999');
    });

    it('reports an invalid configuration as ConfigError (exit 3)', async () => {
      dir = mkdtempSync(join(tmpdir(), 'dalga-cli-'));
      writeFileSync(join(dir, 'bad.toml'), '[listen]\nport = "many"\n');
      await expect(resolveTarget({ config: 'bad.toml' }, io({}, dir))).rejects.toBeInstanceOf(ConfigError);
    });
  });
});

describe('mayHaveConfig', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('knows the same file names as configuration discovery', () => {
    expect(CONFIG_FILE_NAMES).toEqual(SEARCH_PLACES);
  });

  it('is false only when nothing could configure the listen address', () => {
    const d = (dir = mkdtempSync(join(tmpdir(), 'dalga-cli-')));
    expect(mayHaveConfig({ cwd: d, env: {} })).toBe(false);
    expect(mayHaveConfig({ cwd: d, env: { DALGA_JOBS_MAXRUNNING: '5' } })).toBe(false);
    expect(mayHaveConfig({ cwd: d, env: { DALGA_LISTEN_PORT: '5' } })).toBe(true);
    expect(mayHaveConfig({ cwd: d, env: { DALGA_CONFIG: 'x.toml' } })).toBe(true);
    expect(mayHaveConfig({ cwd: d, env: {}, configPath: 'x.toml' })).toBe(true);
    writeFileSync(join(d, 'package.json'), '{"name":"app"}');
    expect(mayHaveConfig({ cwd: d, env: {} })).toBe(false);
    writeFileSync(join(d, 'package.json'), '{"name":"app","dalga":{"listen":{"port":5}}}');
    expect(mayHaveConfig({ cwd: d, env: {} })).toBe(true);
    rmSync(join(d, 'package.json'));
    writeFileSync(join(d, '.dalgarc.yml'), '');
    expect(mayHaveConfig({ cwd: d, env: {} })).toBe(true);
  });
});

describe('listenURL', () => {
  it('maps wildcard addresses to loopback and brackets IPv6', () => {
    expect(listenURL('0.0.0.0', 1)).toBe('http://127.0.0.1:1');
    expect(listenURL('', 1)).toBe('http://127.0.0.1:1');
    expect(listenURL('::', 2)).toBe('http://[::1]:2');
    expect(listenURL('::1', 3)).toBe('http://[::1]:3');
    expect(listenURL('dalga.internal', 4)).toBe('http://dalga.internal:4');
  });
});

describe('useColor', () => {
  it('colours a TTY unless NO_COLOR or --no-color', () => {
    expect(useColor({}, io({}, '/', true))).toBe(true);
    expect(useColor({}, io({}, '/', false))).toBe(false);
    expect(useColor({ color: false }, io({}, '/', true))).toBe(false);
    expect(useColor({}, io({ NO_COLOR: '1' }, '/', true))).toBe(false);
    // https://no-color.org: an empty NO_COLOR does not count.
    expect(useColor({}, io({ NO_COLOR: '' }, '/', true))).toBe(true);
  });
});

describe('parseLimit and parseRefresh', () => {
  it('accepts whole numbers from 1 as a limit', () => {
    expect(parseLimit('1')).toBe(1);
    expect(parseLimit('250')).toBe(250);
    for (const bad of ['0', '-1', '1.5', 'ten', '', '99999999999999999999']) expect(() => parseLimit(bad)).toThrow(UsageError);
  });

  it('accepts seconds or Go durations of at least 100ms as a refresh period', async () => {
    expect(await parseRefresh('2')).toBe(2000);
    expect(await parseRefresh('0.5')).toBe(500);
    expect(await parseRefresh('250ms')).toBe(250);
    expect(await parseRefresh('1m')).toBe(60_000);
    for (const bad of ['0', '10ms', 'soon', '-1s']) await expect(parseRefresh(bad)).rejects.toThrow(UsageError);
  });
});
