import { describe, expect, it } from 'vitest';
import {
  ago,
  cellText,
  columnLayout,
  compactDuration,
  countdown,
  fit,
  jobState,
  lastText,
  MARKER_WIDTH,
  matchesFilter,
  nextText,
  nextWidths,
  sanitize,
  stateLabel,
  truncate,
} from '../../../src/cli/watch/format.js';
import { job } from './fake-client.js';

const NOW = Date.parse('2020-01-13T22:09:00Z');

describe('jobState', () => {
  it('tells running, disabled, retrying and scheduled apart', () => {
    expect(jobState(job('a', { instance_id: 3 })).kind).toBe('running');
    expect(jobState(job('a', { next_run: null })).kind).toBe('disabled');
    expect(jobState(job('a', { failures: 2 }))).toEqual({ kind: 'retrying', failures: 2 });
    // Retries ran out: next_run and next_sched moved together to an occurrence after the last attempt.
    expect(jobState(job('a', { failures: 5, last_run: '2020-01-13T22:09:30Z' }))).toEqual({ kind: 'gave-up', failures: 5 });
    expect(jobState(job('a')).kind).toBe('scheduled');
  });

  it('shows a disabled job that is still executing as running', () => {
    expect(jobState(job('a', { next_run: null, instance_id: 1 })).kind).toBe('running');
  });

  it('labels retrying with its failure count', () => {
    expect(stateLabel({ kind: 'retrying', failures: 3 })).toBe('retrying ×3');
    expect(stateLabel({ kind: 'gave-up', failures: 5 })).toBe('gave up ×5');
    expect(stateLabel({ kind: 'disabled', failures: 0 })).toBe('disabled');
  });
});

describe('countdown', () => {
  it('counts whole seconds up, so "in 1s" lasts until the due instant', () => {
    expect(countdown(NOW + 1, NOW)).toBe('in 1s');
    expect(countdown(NOW + 1000, NOW)).toBe('in 1s');
    expect(countdown(NOW + 1001, NOW)).toBe('in 2s');
  });

  it('uses the two largest units', () => {
    expect(countdown(NOW + 65_000, NOW)).toBe('in 1m05s');
    expect(countdown(NOW + (2 * 3600 + 3 * 60 + 9) * 1000, NOW)).toBe('in 2h03m');
    expect(countdown(NOW + (3 * 86_400 + 4 * 3600) * 1000, NOW)).toBe('in 3d04h');
  });

  it('says due at the instant and overdue after it', () => {
    expect(countdown(NOW, NOW)).toBe('due');
    expect(countdown(NOW - 999, NOW)).toBe('due');
    expect(countdown(NOW - 4000, NOW)).toBe('overdue 4s');
  });

  it('formats durations and ages', () => {
    expect(compactDuration(0)).toBe('0s');
    expect(compactDuration(59_999)).toBe('59s');
    expect(ago(NOW - 180_000, NOW)).toBe('3m00s ago');
    expect(ago(NOW, NOW)).toBe('just now');
  });
});

describe('cells', () => {
  it('shows the next run as countdown and time with its zone, or why there is none', () => {
    const at = new Date(NOW + 42_000).toISOString();
    expect(nextText(job('a', { next_run: at }), NOW)).toBe('in 42s    22:09:42 UTC');
    expect(nextText(job('a', { next_run: null }), NOW)).toBe('—');
    expect(nextText(job('a', { instance_id: 9 }), NOW)).toBe('running now');
    expect(nextText(job('a', { next_run: 'garbage' }), NOW)).toBe('?');
    expect(nextText(job('a', { next_run: at }), NOW, 'job', true)).toBe('in 42s');
  });

  it("shows the time in the job's own location, with the date when it is not today there", () => {
    const la = job('a', { location: 'America/Los_Angeles', next_run: '2020-01-13T14:09:05-08:00' });
    expect(nextText(la, NOW)).toBe('in 5s     14:09:05 -08:00');
    expect(nextText(la, NOW, 'utc')).toBe('in 5s     22:09:05 UTC');
    // 22:09 UTC is already 01:09 on Jan 14 in Istanbul: a run at 01:10 there is today.
    const istanbul = job('a', { location: 'Europe/Istanbul', next_run: '2020-01-14T01:10:05+03:00' });
    expect(nextText(istanbul, NOW)).toBe('in 1m05s  01:10:05 +03:00');
    const tomorrow = job('a', { location: 'Europe/Istanbul', next_run: '2020-01-15T01:10:05+03:00' });
    expect(nextText(tomorrow, NOW)).toBe('in 1d00h  Jan 15 01:10 +03:00');
    const later = job('a', { location: 'America/Los_Angeles', next_run: '2030-01-02T14:09:00-08:00' });
    expect(nextText(later, NOW)).toBe('in 3642d00h 2030-01-02 14:09 -08:00');
  });

  it('sizes the next-run column to what the rows need, so the time is never cut', () => {
    const rows = [
      job('a', { location: 'America/Los_Angeles', next_run: '2020-12-02T00:00:00-08:00' }),
      job('b', { next_run: new Date(NOW + 5000).toISOString() }),
    ];
    const widths = nextWidths(rows, NOW, 'job');
    expect(widths.full).toBe(nextText(rows[0]!, NOW).length);
    expect(nextText(rows[0]!, NOW)).toBe('in 323d09h Dec 02 00:00 -08:00');
    for (const width of [100, 120, 160, 200]) {
      const next = columnLayout(width, widths).find((c) => c.key === 'next');
      expect(next?.width).toBe(widths.full);
    }
  });

  it('sizes the interval column to the rows (a cron expression), between 10 and 30 characters', () => {
    const cron = job('a', { interval: 'P1000Y', cron: '30 2 * * *' });
    const widths = nextWidths([cron, job('b')], NOW, 'job');
    // Was cut to 'cron 30 2…' even at 160 columns.
    for (const width of [120, 160]) {
      const interval = columnLayout(width, widths).find((c) => c.key === 'interval');
      expect(interval?.width).toBe('cron 30 2 * * *'.length);
    }
    expect(nextWidths([job('b', { interval: 'PT60S' })], NOW, 'job').interval).toBe(10);
    const long = job('c', { interval: 'P1000Y', cron: '0 0,5,10,15,20,25,30,35,40,45,50,55 * * 1-5' });
    expect(nextWidths([long], NOW, 'job').interval).toBe(30);
  });

  it('shows the last result with its age', () => {
    expect(lastText(job('a'), NOW)).toBe('—');
    expect(lastText(job('a', { last_status: '500', last_run: new Date(NOW - 5000).toISOString() }), NOW)).toBe('500 5s ago');
    expect(lastText(job('a', { last_status: 'timeout', last_run: null }), NOW)).toBe('timeout');
    expect(lastText(job('a', { last_status: 'connection refused', last_run: new Date(NOW - 5000).toISOString() }), NOW)).toBe(
      '5s ago: connection refused',
    );
  });

  it('names one-off intervals and empty locations', () => {
    expect(cellText({ key: 'interval' }, job('a', { interval: 'P0D' }), NOW)).toBe('one-off');
    expect(cellText({ key: 'interval' }, job('a', { interval: '' }), NOW)).toBe('one-off');
    expect(cellText({ key: 'interval' }, job('a', { interval: 'PT5H' }), NOW)).toBe('PT5H');
    expect(cellText({ key: 'interval' }, job('a', { interval: 'P1000Y', cron: '*/2 * * * * *' }), NOW)).toBe('cron */2 * * * * *');
    expect(cellText({ key: 'location' }, job('a', { location: '' }), NOW)).toBe('UTC');
  });

  it('never lets control characters reach the terminal', () => {
    expect(sanitize('a\nb\tc\u001b[2J')).toBe('a\\nb\\tc\\u001b[2J');
    expect(cellText({ key: 'body' }, job('a', { body: 'x\ny' }), NOW)).toBe('x\\ny');
    expect(cellText({ key: 'last' }, job('a', { last_status: 'x\u001by', last_run: null }), NOW)).toBe('x\\u001by');
  });
});

describe('truncate and fit', () => {
  it('cuts with an ellipsis only when needed', () => {
    expect(truncate('abcdef', 6)).toBe('abcdef');
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abcdef', 1)).toBe('…');
    expect(truncate('abcdef', 0)).toBe('');
  });

  it('counts code points, not UTF-16 units', () => {
    expect(truncate('😀😀😀', 2)).toBe('😀…');
  });

  it('pads to the exact width', () => {
    expect(fit('ab', 4)).toBe('ab  ');
    expect(fit('abcdef', 4)).toBe('abc…');
  });
});

describe('columnLayout', () => {
  const total = (width: number): number =>
    MARKER_WIDTH + columnLayout(width).reduce((sum, c) => sum + c.width + 1, 0) - 1;

  it('shows every column on a wide terminal', () => {
    expect(columnLayout(160).map((c) => c.key)).toEqual(['state', 'path', 'body', 'next', 'interval', 'location', 'last']);
  });

  it('drops location, last and interval on a narrow terminal, keeping path and body', () => {
    expect(columnLayout(70).map((c) => c.key)).toEqual(['state', 'path', 'body', 'next']);
  });

  it('shortens path and body and keeps the countdown before it drops the next run', () => {
    const narrow = { full: 30, compact: 9 };
    const at = (width: number) => Object.fromEntries(columnLayout(width, narrow).map((c) => [c.key, c.compact ? 'compact' : c.width]));
    expect(at(66)).toMatchObject({ next: 30 });
    expect(at(62)).toMatchObject({ next: 30, path: 9, body: 6 });
    expect(at(50)).toMatchObject({ next: 'compact' });
    expect(at(50).path).toBeGreaterThanOrEqual(8);
    expect(at(36)).toMatchObject({ next: 'compact' });
    expect(at(30)).not.toHaveProperty('next');
  });


  it('never exceeds the width, from tiny to huge terminals', () => {
    for (let width = 30; width <= 300; width += 1) expect(total(width)).toBeLessThanOrEqual(width);
  });

  it('gives the spare width to path and body', () => {
    const wide = columnLayout(200);
    const path = wide.find((c) => c.key === 'path');
    const body = wide.find((c) => c.key === 'body');
    const next = wide.find((c) => c.key === 'next');
    expect(path!.width + body!.width).toBe(200 - MARKER_WIDTH - (12 + next!.width + 10 + 16 + 20) - 6);
    expect(path!.width).toBeGreaterThan(body!.width);
  });
});

describe('matchesFilter', () => {
  it('matches text in path or body, ignoring case', () => {
    expect(matchesFilter({ path: 'Check_Feed', body: '1' }, 'feed')).toBe(true);
    expect(matchesFilter({ path: 'a', body: 'User-42' }, 'user-4')).toBe(true);
    expect(matchesFilter({ path: 'a', body: 'b' }, 'zzz')).toBe(false);
    expect(matchesFilter({ path: 'a', body: 'b' }, '')).toBe(true);
  });
});
