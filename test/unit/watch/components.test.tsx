import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { columnLayout } from '../../../src/cli/watch/format.js';
import { connectionLine, Header, statusLine } from '../../../src/cli/watch/Header.js';
import { HelpOverlay } from '../../../src/cli/watch/HelpOverlay.js';
import { JobsTable } from '../../../src/cli/watch/JobsTable.js';
import { job } from './fake-client.js';
import { renderAt, unmountAll } from './render-at.js';

afterEach(unmountAll);

const NOW = Date.parse('2020-01-13T22:09:00Z');
const at = (seconds: number): string => new Date(NOW + seconds * 1000).toISOString();

const JOBS = [
  job('running-job', { body: 'r', instance_id: 42, last_status: '200', last_run: at(-60) }),
  job('scheduled-job', { body: 's', next_run: '2020-01-14T01:10:05+03:00', interval: 'PT5M', location: 'Europe/Istanbul' }),
  job('retrying-job', { body: 't', next_run: at(3), failures: 3, last_status: '500', last_run: at(-2) }),
  job('disabled-job', { body: 'd', next_run: null, interval: 'P0D' }),
];

function table(width: number, selected = 1): string {
  const { lastFrame } = renderAt(
    <JobsTable jobs={JOBS} selected={selected} columns={columnLayout(width)} now={NOW} color={false} empty="no jobs" />,
    { columns: width, rows: 30 },
  );
  return lastFrame();
}

describe('JobsTable', () => {
  it('shows each state, countdown, local time, interval, location and last result on a wide terminal', () => {
    const frame = table(160);
    const lines = frame.split('\n');
    expect(lines[0]).toMatch(/STATE\s+PATH\s+BODY\s+NEXT RUN\s+INTERVAL\s+LOCATION\s+LAST/);
    expect(lines[1]).toMatch(/^ {2}running\s+running-job\s+r\s+running now\s+PT60S\s+UTC\s+200 1m00s ago/);
    expect(lines[2]).toMatch(/^> scheduled\s+scheduled-job\s+s\s+in 1m05s {2}01:10:05 \+03:00\s+PT5M\s+Europe\/Istanbul\s+—/);
    expect(lines[3]).toMatch(/^ {2}retrying ×3\s+retrying-job\s+t\s+in 3s {5}22:09:03 UTC\s+PT60S\s+UTC\s+500 2s ago/);
    expect(lines[4]).toMatch(/^ {2}disabled\s+disabled-job\s+d\s+—\s+one-off/);
  });

  it('keeps state, path, body and next run on a 60-column terminal, each line within 60', () => {
    const frame = table(60);
    const lines = frame.split('\n');
    expect(lines[0]).toMatch(/STATE\s+PATH\s+BODY\s+NEXT RUN\s*$/);
    expect(frame).not.toContain('LOCATION');
    expect(lines[2]).toContain('in 1m05s');
    for (const line of lines) expect(Array.from(line).length).toBeLessThanOrEqual(60);
  });

  it('truncates a long body to its column', () => {
    const long = job('p', { body: 'x'.repeat(200) });
    const { lastFrame } = render(<JobsTable jobs={[long]} selected={0} columns={columnLayout(80)} now={NOW} color={false} empty="" />);
    const line = (lastFrame() ?? '').split('\n')[1]!;
    expect(line).toContain('x…');
    expect(Array.from(line).length).toBeLessThanOrEqual(80);
  });

  it('says why there are no rows', () => {
    const { lastFrame } = render(<JobsTable jobs={[]} selected={-1} columns={columnLayout(80)} now={NOW} color={false} empty="no jobs" />);
    expect(lastFrame()).toContain('no jobs');
  });
});

describe('Header', () => {
  const status = { instance_id: 1, instance_running_jobs: 1, running_jobs: 2, total_jobs: 100000, pending_jobs: 3, total_instances: 2, lag: 75 };

  it('shows the daemon, instances, jobs, pending, running and lag', () => {
    expect(statusLine('http://127.0.0.1:34006', status)).toBe(
      'dalga http://127.0.0.1:34006  instances 2  jobs 100000  pending 3  running 2  lag 1m15s',
    );
    const { lastFrame } = render(<Header url="http://h" status={status} detail="by next-run" width={120} color={false} />);
    expect(lastFrame()).toContain('jobs 100000');
    expect(lastFrame()).toContain('by next-run');
  });

  it('says when deliveries are paused', () => {
    expect(statusLine('http://h', { ...status, paused: true, paused_since: '2026-11-28T08:00:00Z' })).toBe(
      'dalga http://h  instances 2  jobs 100000  pending 3  running 2  lag 1m15s  PAUSED (dalga resume)',
    );
    expect(statusLine('http://h', { ...status, paused: false, paused_since: null })).not.toContain('PAUSED');
  });

  it('says when it is disconnected, and when it has not heard yet', () => {
    expect(connectionLine({ status, error: 'ECONNREFUSED', detail: 'x' })).toBe('disconnected — retrying (ECONNREFUSED)');
    expect(connectionLine({ detail: 'x' })).toBe('connecting…');
  });

  it('fits a narrow terminal', () => {
    const { lastFrame } = render(<Header url="http://127.0.0.1:34006" status={status} detail="by next-run" width={40} color={false} />);
    for (const line of (lastFrame() ?? '').split('\n')) expect(Array.from(line).length).toBeLessThanOrEqual(40);
  });
});

describe('HelpOverlay', () => {
  it('lists the keys and what the filter searches', () => {
    const { lastFrame } = render(<HelpOverlay width={100} height={20} />);
    const frame = lastFrame() ?? '';
    for (const key of ['↑ ↓', 'PgUp PgDn', 'Home End', '/', 'd ', 'x ', '?', 'q  Esc  Ctrl-C']) expect(frame).toContain(key);
    expect(frame).toContain('next 1000 jobs');
  });

  it('is cut to the lines available', () => {
    const { lastFrame } = render(<HelpOverlay width={100} height={3} />);
    expect((lastFrame() ?? '').split('\n')).toHaveLength(3);
  });
});
