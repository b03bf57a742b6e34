import { describe, expect, it } from 'vitest';
import type { JobJson, StatusJson } from '../../../src/client/types.js';
import {
  formatErrorLine,
  formatJob,
  formatJobTable,
  formatLocalTime,
  formatRelative,
  formatStatus,
  humanDuration,
  jobState,
  jsonArray,
  paint,
  sanitize,
} from '../../../src/cli/output.js';

const NOW = Date.parse('2026-11-28T09:00:00Z');
const ctx = { now: NOW, color: false, timeZone: 'Europe/Istanbul' } as const;

function job(overrides: Partial<JobJson> = {}): JobJson {
  return {
    path: 'check_feed',
    body: '1234',
    interval: 'PT60S',
    location: 'UTC',
    next_run: '2026-11-28T09:00:42Z',
    next_sched: '2026-11-28T09:00:42Z',
    instance_id: null,
    last_run: '2026-11-28T08:57:00Z',
    last_status: '200',
    failures: 0,
    ...overrides,
  };
}

describe('formatRelative', () => {
  it.each([
    [42_000, 'in 42s'],
    [-180_000, '3m ago'],
    [3_900_000, 'in 1h 5m'],
    [192_000, 'in 3m 12s'],
    [12 * 60_000 + 5000, 'in 12m'],
    [2 * 86_400_000 + 4 * 3_600_000, 'in 2d 4h'],
    [-400, 'now'],
    [999, 'now'],
    [1000, 'in 1s'],
  ])('%d ms from now reads %s', (diff, text) => {
    expect(formatRelative(NOW + diff, NOW)).toBe(text);
  });

  it('never prints units below a second', () => {
    expect(humanDuration(1500)).toBe('1s');
    expect(humanDuration(0)).toBe('0s');
  });
});

describe('formatLocalTime', () => {
  it('shows the instant in the given zone', () => {
    expect(formatLocalTime(Date.parse('2026-11-28T09:00:42Z'), 'Europe/Istanbul')).toBe('2026-11-28 12:00:42');
    expect(formatLocalTime(Date.parse('2026-11-28T00:30:00Z'), 'America/Los_Angeles')).toBe('2026-11-27 16:30:00');
    expect(formatLocalTime(Date.parse('2026-11-28T00:00:00Z'), 'UTC')).toBe('2026-11-28 00:00:00');
  });
});

describe('formatJob', () => {
  it('aligns the fields, with local and relative times', () => {
    expect(formatJob(job(), ctx)).toBe(
      [
        'path:        check_feed',
        'body:        1234',
        'interval:    PT60S',
        'location:    UTC',
        'state:       enabled',
        'next run:    2026-11-28 12:00:42 (in 42s)',
        'next sched:  2026-11-28 12:00:42 (in 42s)',
        'last run:    2026-11-28 11:57:00 (3m ago)',
        'last status: 200',
        'failures:    0',
        '',
      ].join('\n'),
    );
  });

  it('says when a job is disabled, one-off, running or never ran', () => {
    const text = formatJob(job({ next_run: null, interval: 'P0D', last_run: null, last_status: null }), ctx);
    expect(text).toContain('state:       disabled\n');
    expect(text).toContain('next run:    — (disabled)\n');
    expect(text).toContain('interval:    P0D (one-off)\n');
    expect(text).toContain('last run:    never\n');
    expect(formatJob(job({ instance_id: 77 }), ctx)).toContain('state:       running on instance 77\n');
  });

  it('colours only when asked', () => {
    expect(formatJob(job({ failures: 3 }), ctx)).not.toContain('\u001b[');
    const coloured = formatJob(job({ failures: 3 }), { ...ctx, color: true });
    expect(coloured).toContain(paint('3', 'red', true));
    expect(coloured).toContain(paint('enabled', 'green', true));
  });

  it('escapes control characters of user data so they cannot drive the terminal', () => {
    const text = formatJob(job({ path: 'a\nb', body: 'x\u001b[31my' }), ctx);
    expect(text).toContain('path:        a\\nb\n');
    expect(text).toContain('body:        x\\u001b[31my\n');
    expect(text).not.toContain('\u001b');
  });
});

describe('formatJobTable', () => {
  it('aligns columns under a header', () => {
    const table = formatJobTable(
      [job(), job({ path: 'p', body: 'a-much-longer-body', next_run: null, failures: 2, last_status: 'timeout', interval: 'P0D' })],
      ctx,
    );
    expect(table).toBe(
      [
        'PATH        BODY                INTERVAL  STATE     NEXT RUN                      LAST STATUS  FAILURES',
        'check_feed  1234                PT60S     enabled   2026-11-28 12:00:42 (in 42s)  200          0',
        'p           a-much-longer-body  one-off   disabled  —                             timeout      2',
        '',
      ].join('\n'),
    );
  });

  it('keeps the alignment when colouring', () => {
    const plain = formatJobTable([job(), job({ body: 'longer-body', failures: 1 })], ctx);
    const coloured = formatJobTable([job(), job({ body: 'longer-body', failures: 1 })], { ...ctx, color: true });
    // eslint-disable-next-line no-control-regex
    expect(coloured.replace(/\u001b\[\d+m/g, '')).toBe(plain);
  });

  it('is empty for no jobs', () => {
    expect(formatJobTable([], ctx)).toBe('');
  });
});

describe('formatStatus', () => {
  it('lists the figures', () => {
    const status: StatusJson = {
      instance_id: 7,
      instance_running_jobs: 1,
      running_jobs: 3,
      total_jobs: 10,
      pending_jobs: 2,
      total_instances: 2,
      lag: 95,
    };
    expect(formatStatus(status, false)).toBe(
      ['instance:     7', 'instances:    2', 'total jobs:   10', 'pending jobs: 2', 'running jobs: 3 (1 on this instance)', 'lag:          1m 35s', ''].join('\n'),
    );
  });
});

describe('jsonArray', () => {
  it('builds one valid array out of pages, empty pages included', () => {
    const pages = [[], [{ a: 1 }, { a: 2 }], [], [{ a: 3 }]];
    let out = jsonArray.start;
    let first = true;
    for (const page of pages) {
      out += jsonArray.items(page, first);
      first = first && page.length === 0;
    }
    out += jsonArray.end;
    expect(JSON.parse(out)).toEqual([{ a: 1 }, { a: 2 }, { a: 3 }]);
    expect(JSON.parse(jsonArray.start + jsonArray.end)).toEqual([]);
  });
});

describe('small helpers', () => {
  it('jobState', () => {
    expect(jobState(job())).toBe('enabled');
    expect(jobState(job({ next_run: null }))).toBe('disabled');
    expect(jobState(job({ instance_id: 1 }))).toBe('running');
  });

  it('sanitize keeps printable text and escapes the rest', () => {
    expect(sanitize('héllo wörld ✓')).toBe('héllo wörld ✓');
    expect(sanitize('a\tb\r\u0007\u009b')).toBe('a\\tb\\r\\u0007\\u009b');
  });

  it('formatErrorLine prints one line with the dalga prefix', () => {
    expect(formatErrorLine('job not found — a b')).toBe('dalga: job not found — a b\n');
    expect(formatErrorLine('dalga: already prefixed\nsecond line')).toBe('dalga: already prefixed\n');
    expect(formatErrorLine('bad \u001b[2J thing')).toBe('dalga: bad \\u001b[2J thing\n');
  });
});

describe('formatLocalTime in the process zone', () => {
  it('agrees with the Intl formatter for the same zone', () => {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    for (const at of [0, 1_589_000_000_123, Date.UTC(2020, 2, 8, 10, 30), Date.UTC(2030, 11, 31, 23, 59, 59)]) {
      expect(formatLocalTime(at)).toBe(formatLocalTime(at, zone));
    }
  });
});
