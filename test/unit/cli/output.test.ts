import { describe, expect, it } from 'vitest';
import type { JobJson, StatusJson } from '../../../src/client/types.js';
import {
  formatErrorLine,
  formatJob,
  formatJobTable,
  formatPause,
  formatRuns,
  formatStatus,
  jsonArray,
  paint,
  sanitize,
} from '../../../src/cli/output.js';
import { inState } from '../../../src/cli/commands/ls.js';
import { runsInLocation } from '../../../src/cli/run-times.js';

const NOW = Date.parse('2026-11-28T09:00:00Z');
const ctx = { now: NOW, color: false, timeMode: 'job' } as const;

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

/** The README's example: daily at 14:09 in Los Angeles, as the API writes it. */
const LA = job({
  path: 'report',
  body: 'daily',
  interval: 'P1D',
  location: 'America/Los_Angeles',
  next_run: '2026-11-28T14:09:00-08:00',
  next_sched: '2026-11-28T14:09:00-08:00',
  last_run: '2026-11-27T14:09:00.004-08:00',
});

/** Its third attempt at the 08:59 occurrence failed at 08:59:58; the next retry is at 09:00:12. */
const RETRYING = job({ next_sched: '2026-11-28T08:59:00Z', next_run: '2026-11-28T09:00:12Z', last_run: '2026-11-28T08:59:58Z', last_status: '500', failures: 3 });
/**
 * Its fifth attempt at the 08:59 occurrence failed at 08:59:58 past jobs.retryStopAfter: the
 * daemon gave that occurrence up and scheduled the next one (next_run = next_sched, failures kept).
 */
const GAVE_UP = job({ next_sched: '2026-11-28T09:00:58Z', next_run: '2026-11-28T09:00:58Z', last_run: '2026-11-28T08:59:58Z', last_status: '500', failures: 5 });

describe('formatJob', () => {
  it('aligns the fields, with times in the job\'s zone and relative', () => {
    expect(formatJob(job(), ctx)).toBe(
      [
        'path:        check_feed',
        'body:        1234',
        'interval:    PT60S',
        'location:    UTC',
        'state:       scheduled',
        'next run:    2026-11-28 09:00:42 UTC (in 42s)',
        'next sched:  2026-11-28 09:00:42 UTC (in 42s)',
        'last run:    2026-11-28 08:57:00 UTC (3m00s ago)',
        'last status: 200',
        'failures:    0',
        '',
      ].join('\n'),
    );
  });

  it("shows a job's times in its own location with the offset: 14:09 in Los Angeles reads 14:09", () => {
    const text = formatJob(LA, ctx);
    expect(text).toContain('next run:    2026-11-28 14:09:00 -08:00 (in 13h09m)\n');
    expect(text).toContain('last run:    2026-11-27 14:09:00 -08:00 (10h50m ago)\n');
  });

  it('switches to UTC with --utc and to the local zone with --local', () => {
    expect(formatJob(LA, { ...ctx, timeMode: 'utc' })).toContain('next run:    2026-11-28 22:09:00 UTC (in 13h09m)\n');
    const local = new Date(Date.parse('2026-11-28T22:09:00Z'));
    const offset = -local.getTimezoneOffset();
    const sign = offset < 0 ? '-' : '+';
    const hhmm = `${String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0')}:${String(Math.abs(offset) % 60).padStart(2, '0')}`;
    const wall = `${String(local.getHours()).padStart(2, '0')}:${String(local.getMinutes()).padStart(2, '0')}:00`;
    expect(formatJob(LA, { ...ctx, timeMode: 'local' })).toContain(`${wall} ${sign}${hhmm} (in 13h09m)`);
  });

  it('tells a UTC job from a zone whose offset is zero', () => {
    const london = job({ location: 'Europe/London', next_run: '2026-11-28T09:00:42Z' });
    expect(formatJob(london, ctx)).toContain('next run:    2026-11-28 09:00:42 +00:00 (in 42s)\n');
  });

  it('names a retrying job with its failures, as the live view does', () => {
    expect(formatJob(RETRYING, ctx)).toContain('state:       retrying ×3\n');
  });

  it('says that a periodic job gave up its occurrence, not that it is retrying', () => {
    expect(formatJob(GAVE_UP, ctx)).toContain('state:       gave up ×5 (waiting for the next occurrence)\n');
    // Enabled again after failing: the occurrence it failed on is tried again, which is a retry.
    const enabled = job({ next_sched: '2026-11-28T08:59:00Z', next_run: '2026-11-28T08:59:00Z', last_run: '2026-11-28T08:59:58Z', failures: 3 });
    expect(formatJob(enabled, ctx)).toContain('state:       retrying ×3\n');
  });

  it('says when a job is disabled, one-off, running or never ran', () => {
    const text = formatJob(job({ next_run: null, interval: 'P0D', last_run: null, last_status: null }), ctx);
    expect(text).toContain('state:       disabled\n');
    expect(text).toContain('next run:    — (disabled)\n');
    expect(text).toContain('interval:    P0D (one-off)\n');
    expect(formatJob(job({ interval: '' }), ctx)).toContain("interval:    '' (one-off)\n");
    expect(text).toContain('last run:    never\n');
    expect(formatJob(job({ instance_id: 77 }), ctx)).toContain('state:       running on instance 77\n');
  });

  it('colours only when asked', () => {
    expect(formatJob(RETRYING, ctx)).not.toContain('\u001b[');
    const coloured = formatJob(RETRYING, { ...ctx, color: true });
    expect(coloured).toContain(paint('3', 'red', true));
    expect(coloured).toContain(paint('retrying ×3', 'yellow', true));
    expect(formatJob(job(), { ...ctx, color: true })).toContain(paint('scheduled', 'green', true));
  });

  it('escapes control characters of user data so they cannot drive the terminal', () => {
    const text = formatJob(job({ path: 'a\nb', body: 'x\u001b[31my' }), ctx);
    expect(text).toContain('path:        a\\nb\n');
    expect(text).toContain('body:        x\\u001b[31my\n');
    expect(text).not.toContain('\u001b');
  });
});

describe('cron jobs', () => {
  const cronJob = job({ cron: '9 14 * * *', interval: 'P1000Y', location: 'America/Los_Angeles', misfire: 'all', catchup: 'PT3H', run_now: null, next_run: '2026-12-01T14:09:00-08:00' });

  it('get shows the expression instead of the interval marker, and the misfire policy', () => {
    const text = formatJob(cronJob, ctx);
    expect(text).toContain('cron:        9 14 * * *\n');
    expect(text).not.toContain('P1000Y');
    expect(text).toContain('misfire:     all (catch up PT3H)\n');
    expect(text).toContain('next run:    2026-12-01 14:09:00 -08:00');
  });

  it('ls shows `cron <expression>` in the INTERVAL column', () => {
    expect(formatJobTable([cronJob], ctx)).toContain('cron 9 14 * * *');
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
        'PATH        BODY                INTERVAL  STATE      NEXT RUN                          LAST STATUS  FAILURES',
        'check_feed  1234                PT60S     scheduled  2026-11-28 09:00:42 UTC (in 42s)  200          0',
        'p           a-much-longer-body  one-off   disabled   —                                 timeout      2',
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

  it("writes each job's next run in its own zone", () => {
    expect(formatJobTable([LA], ctx)).toContain('2026-11-28 14:09:00 -08:00 (in 13h09m)');
  });

  it('labels a job that gave up an occurrence apart from a retrying one, and --state lists each where its label says', () => {
    const disabled = job({ path: 'dead', next_run: null, interval: 'P0D', last_status: '500', failures: 2 });
    const rows = formatJobTable([RETRYING, GAVE_UP, disabled], ctx).split('\n');
    expect(rows[1]).toMatch(/^check_feed +1234 +PT60S +retrying ×3 +2026-11-28 09:00:12 UTC \(in 12s\) +500 +3$/);
    expect(rows[2]).toMatch(/^check_feed +1234 +PT60S +gave up ×5 +2026-11-28 09:00:58 UTC \(in 58s\) +500 +5$/);
    expect(rows[3]).toMatch(/^dead +1234 +one-off +disabled +— +500 +2$/);
    const listed = (state: 'failing' | 'gave-up' | 'disabled'): number[] => [RETRYING, GAVE_UP, disabled, job()].flatMap((j, i) => (inState(j, state) ? [i] : []));
    expect(listed('failing')).toEqual([0, 1]);
    expect(listed('gave-up')).toEqual([1, 2]);
    expect(listed('disabled')).toEqual([2]);
  });

  it('is empty for no jobs', () => {
    expect(formatJobTable([], ctx)).toBe('');
  });
});

describe('formatRuns', () => {
  // The daemon records runs in UTC; `dalga history` shows them like the job's own times.
  const runs = [
    { sched: '2026-11-28T07:47:16.239Z', started_at: '2026-11-28T07:49:16.24Z', duration_ms: 12, status: '200', outcome: 'done', attempt: 3, instance_id: 7 },
    { sched: '2026-07-01T21:09:00Z', started_at: '2026-07-01T21:09:00.5Z', duration_ms: 40, status: '500', outcome: 'retry', attempt: 1, instance_id: 7 },
  ];
  const lines = (text: string): string[] => text.trimEnd().split('\n');

  it("writes a UTC job's runs in UTC, as get does, whatever the zone of the machine", () => {
    expect(lines(formatRuns(runs, ctx))).toEqual([
      'STARTED                  ATTEMPT  STATUS  OUTCOME  TOOK   SCHEDULED                INSTANCE',
      '2026-11-28 07:49:16 UTC  3        200     done     12 ms  2026-11-28 07:47:16 UTC  7',
      '2026-07-01 21:09:00 UTC  1        500     retry    40 ms  2026-07-01 21:09:00 UTC  7',
    ]);
  });

  it("writes another job's runs in its location, each with the offset of its date", async () => {
    const text = formatRuns(await runsInLocation(runs, 'America/Los_Angeles'), ctx, 'America/Los_Angeles');
    expect(lines(text).slice(1)).toEqual([
      '2026-11-27 23:49:16 -08:00  3        200     done     12 ms  2026-11-27 23:47:16 -08:00  7',
      '2026-07-01 14:09:00 -07:00  1        500     retry    40 ms  2026-07-01 14:09:00 -07:00  7',
    ]);
    // London in winter is at +00:00, and says so, as get does for it.
    expect(lines(formatRuns(await runsInLocation(runs, 'Europe/London'), ctx, 'Europe/London'))[1]).toMatch(/^2026-11-28 07:49:16 \+00:00 /);
  });

  it('--utc shows UTC for any job', async () => {
    const text = formatRuns(await runsInLocation(runs, 'America/Los_Angeles'), { ...ctx, timeMode: 'utc' }, 'America/Los_Angeles');
    expect(lines(text)[1]).toMatch(/^2026-11-28 07:49:16 UTC +3 /);
  });
});

describe('formatStatus', () => {
  const status: StatusJson = {
    instance_id: 7,
    instance_running_jobs: 1,
    running_jobs: 3,
    total_jobs: 10,
    pending_jobs: 2,
    total_instances: 2,
    lag: 95,
  };

  it('lists the figures (a daemon that does not list its instances)', () => {
    expect(formatStatus(status, ctx)).toBe(
      ['instance:     7', 'instances:    2', 'total jobs:   10', 'pending jobs: 2', 'running jobs: 3 (1 on this instance)', 'lag:          1m35s', ''].join('\n'),
    );
  });

  it('lists each instance with its last heartbeat under the count', () => {
    const text = formatStatus(
      {
        ...status,
        instances: [
          { id: 7, last_heartbeat: '2026-11-28T08:59:58.500Z' },
          { id: 1234567, last_heartbeat: '2026-11-28T08:59:50Z' },
        ],
      },
      { ...ctx, timeMode: 'utc' },
    );
    expect(text.split('\n').slice(0, 5)).toEqual([
      'instance:     7',
      'instances:    2',
      '  7        last heartbeat 2026-11-28 08:59:58 UTC (1s ago)  ← answered this request',
      '  1234567  last heartbeat 2026-11-28 08:59:50 UTC (10s ago)',
      'total jobs:   10',
    ]);
  });
});

describe('pause state', () => {
  it('status says whether deliveries are paused and since when; an older daemon without the field shows no line', () => {
    const base: StatusJson = { instance_id: 7, instance_running_jobs: 0, running_jobs: 0, total_jobs: 0, pending_jobs: 0, total_instances: 1, lag: 0 };
    const utc = { ...ctx, timeMode: 'utc' as const };
    expect(formatStatus({ ...base, paused: false, paused_since: null }, utc)).toMatch(/^paused: +no$/m);
    expect(formatStatus({ ...base, paused: true, paused_since: '2026-11-28T08:59:50Z' }, utc)).toMatch(
      /^paused: +yes — no deliveries on any instance since 2026-11-28 08:59:50 UTC \(10s ago\); dalga resume$/m,
    );
    expect(formatStatus(base, utc)).not.toMatch(/paused/);
    expect(formatPause({ paused: false, paused_since: null }, utc)).toBe('paused: no\n');
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
