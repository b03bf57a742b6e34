import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { DEFAULTS } from '../../src/config/schema.js';
import { ExitCode } from '../../src/errors.js';
import { createMetrics } from '../../src/observability/metrics.js';

// The operating docs and the example files against what the code really exposes and needs.

const ROOT = resolve(import.meta.dirname, '../..');
const read = (path: string): string => readFileSync(resolve(ROOT, path), 'utf8');

async function exposedNames(): Promise<string[]> {
  const status = { instanceRunningJobs: 0, runningJobs: 0, totalJobs: 0, pendingJobs: 0, totalInstances: 1, lagSeconds: 0 };
  const metrics = createMetrics({ instanceId: 1, version: 'x', store: { kind: 'sqlite', status: async () => status, pausedSince: async () => null }, clock: systemClock, running: () => 0, processMetrics: false });
  return (await metrics.registry.getMetricsAsJSON()).map((m) => m.name).sort();
}

/** dalga_* names mentioned in a text, with histogram series suffixes taken off. */
function mentionedNames(text: string): string[] {
  const names = new Set([...text.matchAll(/\bdalga_[a-z_]+/g)].map((m) => m[0].replace(/_(bucket|sum|count)$/, '')));
  return [...names].sort();
}

describe('README.md (Operating)', () => {
  it('documents every dalga_* metric in its table, and names no metric that does not exist', async () => {
    const doc = read('README.md');
    const names = await exposedNames();
    const tableRows = [...doc.matchAll(/^\| `(dalga_[a-z_]+)/gm)].map((m) => m[1]).sort();
    expect(tableRows).toEqual(names);
    for (const name of mentionedNames(doc)) expect(names).toContain(name);
  });
});

describe('examples/prometheus.yml', () => {
  it('scrapes /metrics with a bearer token from a file, and its alerts use real metrics', async () => {
    const text = read('examples/prometheus.yml');
    const config = load(text) as { scrape_configs: { job_name: string; metrics_path: string; authorization: { type: string; credentials_file: string }; static_configs: { targets: string[] }[] }[] };
    const job = config.scrape_configs.find((c) => c.job_name === 'dalga');
    expect(job).toMatchObject({ metrics_path: '/metrics', authorization: { type: 'Bearer' } });
    expect(job?.authorization.credentials_file).toMatch(/^\//);
    expect(job?.static_configs[0]?.targets).toContain(`${DEFAULTS.listen.host}:${DEFAULTS.listen.port}`);
    // The commented rules are YAML too, once uncommented.
    const rules = load(text.split('\n').filter((l) => l.startsWith('# ')).map((l) => l.slice(2)).join('\n').replace(/^[\s\S]*?(?=groups:)/, '')) as { groups: { rules: { alert: string; expr: string }[] }[] };
    expect(rules.groups[0]?.rules.length).toBeGreaterThan(0);
    const names = await exposedNames();
    for (const name of mentionedNames(text)) expect(names).toContain(name);
  });
});

describe('examples/dalga.service', () => {
  const unit = read('examples/dalga.service');
  const service = new Map<string, string>();
  for (const line of unit.slice(unit.indexOf('[Service]'), unit.indexOf('[Install]')).split('\n')) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (m) service.set(m[1]!, m[2]!);
  }

  it('runs serve in the foreground, stops it with SIGTERM and waits longer than shutdownTimeout', () => {
    expect(service.get('Type')).toBe('simple');
    expect(service.get('ExecStart')).toBe('/usr/bin/env dalga serve -c /etc/dalga/dalga.toml');
    expect(service.get('KillSignal')).toBe('SIGTERM');
    const stopSec = /^(\d+)s$/.exec(service.get('TimeoutStopSec') ?? '');
    expect(Number(stopSec?.[1]) * 1000).toBeGreaterThan(DEFAULTS.listen.shutdownTimeout);
    expect(service.get('Restart')).toBe('on-failure');
    expect(service.get('RestartPreventExitStatus')?.split(' ').map(Number)).toEqual([ExitCode.usage, ExitCode.config]);
    expect(service.get('NoNewPrivileges')).toBe('yes');
    expect(service.get('ProtectSystem')).toBe('strict');
  });

  it.runIf(existsSync('/usr/bin/systemd-analyze'))('passes systemd-analyze verify without a complaint', () => {
    const run = spawnSync('systemd-analyze', ['verify', '--man=no', resolve(ROOT, 'examples/dalga.service')], { encoding: 'utf8', timeout: 20_000 });
    expect(run.stderr.trim()).toBe('');
    expect(run.status).toBe(0);
  });
});
