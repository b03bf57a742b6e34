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
  localTime,
  MARKER_WIDTH,
  matchesFilter,
  nextText,
  printable,
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
    expect(jobState(job('a')).kind).toBe('scheduled');
  });

  it('shows a disabled job that is still executing as running', () => {
    expect(jobState(job('a', { next_run: null, instance_id: 1 })).kind).toBe('running');
  });

  it('labels retrying with its failure count', () => {
    expect(stateLabel({ kind: 'retrying', failures: 3 })).toBe('retrying ×3');
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

describe('localTime', () => {
  it('shows the time alone on the same day, the date too on another', () => {
    expect(localTime(NOW + 5000, NOW, 'UTC')).toBe('22:09:05');
    expect(localTime(NOW + 86_400_000, NOW, 'UTC')).toBe('Jan 14 22:09');
  });

  it('uses the given zone', () => {
    expect(localTime(NOW, NOW, 'America/Los_Angeles')).toBe('14:09:00');
  });
});

describe('cells', () => {
  it('shows the next run as countdown and local time, or why there is none', () => {
    const at = new Date(NOW + 42_000).toISOString();
    expect(nextText(job('a', { next_run: at }), NOW, 'UTC')).toBe('in 42s     22:09:42');
    expect(nextText(job('a', { next_run: null }), NOW, 'UTC')).toBe('—');
    expect(nextText(job('a', { instance_id: 9 }), NOW, 'UTC')).toBe('running now');
    expect(nextText(job('a', { next_run: 'garbage' }), NOW, 'UTC')).toBe('?');
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
    expect(cellText('interval', job('a', { interval: 'P0D' }), NOW)).toBe('one-off');
    expect(cellText('interval', job('a', { interval: 'PT5H' }), NOW)).toBe('PT5H');
    expect(cellText('location', job('a', { location: '' }), NOW)).toBe('UTC');
  });

  it('never lets control characters reach the terminal', () => {
    expect(printable('a\nb\tc\u001b[2J')).toBe('a\\nb\\tc\\x1b[2J');
    expect(cellText('body', job('a', { body: 'x\ny' }), NOW)).toBe('x\\ny');
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
    expect(columnLayout(60).map((c) => c.key)).toEqual(['state', 'path', 'body', 'next']);
  });

  it('never exceeds the width, from tiny to huge terminals', () => {
    for (let width = 30; width <= 300; width += 1) expect(total(width)).toBeLessThanOrEqual(width);
  });

  it('gives the spare width to path and body', () => {
    const wide = columnLayout(200);
    const path = wide.find((c) => c.key === 'path');
    const body = wide.find((c) => c.key === 'body');
    expect(path!.width + body!.width).toBe(200 - MARKER_WIDTH - (12 + 22 + 10 + 16 + 20) - 6);
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
