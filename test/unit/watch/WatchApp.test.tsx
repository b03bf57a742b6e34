import { afterEach, describe, expect, it } from 'vitest';
import { WatchApp, type WatchAppProps } from '../../../src/cli/watch/WatchApp.js';
import { FakeClock } from '../../support/fake-clock.js';
import { FakeClient, job, manyJobs } from './fake-client.js';
import { renderAt, settle, unmountAll } from './render-at.js';

afterEach(unmountAll);

const START = '2020-01-13T22:09:00Z';
const at = (seconds: number): string => new Date(Date.parse(START) + seconds * 1000).toISOString();

const KEY = {
  up: '\u001b[A',
  down: '\u001b[B',
  pageDown: '\u001b[6~',
  home: '\u001b[H',
  end: '\u001b[F',
  escape: '\u001b',
  enter: '\r',
  backspace: '\u007f',
  ctrlC: '\u0003',
};

function fourStates(): FakeClient {
  return new FakeClient([
    job('running-job', { body: 'r', instance_id: 42, next_run: at(1) }),
    job('retrying-job', { body: 't', next_run: at(3), failures: 3, last_status: '500', last_run: at(-2) }),
    job('scheduled-job', { body: 's', next_run: at(60) }),
    job('disabled-job', { body: 'd', next_run: null }),
  ]);
}

async function mount(client: FakeClient, over: Partial<WatchAppProps> = {}, size = { columns: 100, rows: 20 }) {
  const clock = new FakeClock(START);
  let quits = 0;
  const view = renderAt(
    <WatchApp
      client={client}
      url="http://dalga.test:34006"
      query={{}}
      refreshMs={1000}
      color={false}
      clock={clock}
      onQuit={() => (quits += 1)}
      {...over}
    />,
    size,
  );
  // Ink resolves only the exit promises asked for before the exit, as runWatch does.
  const exited = view.instance.waitUntilExit();
  await settle();
  const press = async (...keys: string[]): Promise<void> => {
    for (const key of keys) {
      view.stdin.write(key);
      await settle();
    }
  };
  const advance = async (ms: number): Promise<void> => {
    clock.advance(ms);
    await settle();
  };
  const line = (text: string): string => view.lastFrame().split('\n').find((l) => l.includes(text)) ?? '';
  return { ...view, clock, press, advance, line, exited, quits: () => quits };
}

describe('WatchApp: what it shows', () => {
  it('shows the header figures and every state, ordered by next run', async () => {
    const app = await mount(fourStates());
    const frame = app.lastFrame();
    expect(frame).toContain('dalga http://dalga.test:34006  instances 1  jobs 4  pending 0  running 1  lag 0s');
    expect(frame).toContain('by next-run  ·  job 1 of 4');
    const order = ['running-job', 'retrying-job', 'scheduled-job', 'disabled-job'].map((p) => frame.indexOf(p));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(app.line('running-job')).toMatch(/^> running\s/);
    expect(app.line('retrying-job')).toMatch(/retrying ×3\s.*in 3s\s+22:09:03.*500 2s ago/);
    expect(app.line('scheduled-job')).toMatch(/scheduled\s.*in 1m00s/);
    expect(app.line('disabled-job')).toMatch(/disabled\s.*—/);
  });

  it('ticks the countdowns every second between fetches', async () => {
    const client = fourStates();
    const app = await mount(client, { refreshMs: 10_000 });
    const lists = client.callsOf('list').length;
    await app.advance(1000);
    expect(app.line('scheduled-job')).toContain('in 59s');
    await app.advance(1000);
    expect(app.line('scheduled-job')).toContain('in 58s');
    expect(client.callsOf('list')).toHaveLength(lists);
    await app.advance(8000);
    expect(client.callsOf('list')).toHaveLength(lists + 1);
  });

  it('refreshes every refreshMs and shows new jobs', async () => {
    const client = fourStates();
    const app = await mount(client);
    expect(app.lastFrame()).not.toContain('new-job');
    client.jobs = [...client.jobs, job('new-job', { next_run: at(31) })];
    await app.advance(1000);
    expect(app.line('new-job')).toMatch(/scheduled\s+new-job\s.*in 30s/);
  });

  it('says it is disconnected, keeps the last rows, and recovers', async () => {
    const client = fourStates();
    const app = await mount(client);
    client.down = true;
    await app.advance(1000);
    expect(app.lastFrame()).toContain('disconnected — retrying (cannot reach dalga at http://fake)');
    expect(app.lastFrame()).toContain('scheduled-job');
    await app.advance(1000);
    expect(app.lastFrame()).toContain('disconnected — retrying');
    client.down = false;
    await app.advance(1000);
    expect(app.lastFrame()).not.toContain('disconnected');
    expect(app.lastFrame()).toContain('job 1 of 4');
  });

  it('starts disconnected without crashing when the daemon is down from the start', async () => {
    const client = fourStates();
    client.down = true;
    const app = await mount(client);
    expect(app.lastFrame()).toContain('disconnected — retrying');
    expect(app.lastFrame()).toContain('no data yet');
    client.down = false;
    await app.advance(1000);
    expect(app.lastFrame()).toContain('running-job');
  });
});

describe('WatchApp: keys', () => {
  it('moves the selection with arrows, PgDn, Home and End', async () => {
    const app = await mount(fourStates());
    await app.press(KEY.down);
    expect(app.line('retrying-job')).toMatch(/^> /);
    await app.press(KEY.up, KEY.up);
    expect(app.line('running-job')).toMatch(/^> /);
    await app.press(KEY.end);
    expect(app.line('disabled-job')).toMatch(/^> /);
    await app.press(KEY.home);
    expect(app.line('running-job')).toMatch(/^> /);
    await app.press(KEY.pageDown);
    expect(app.line('disabled-job')).toMatch(/^> /);
  });

  it('filters by text in path or body, keeps it on Enter and clears it on Esc', async () => {
    const app = await mount(fourStates());
    await app.press('/', 's', 'c', 'h');
    expect(app.lastFrame()).toContain('/sch▏');
    expect(app.lastFrame()).toContain('scheduled-job');
    expect(app.lastFrame()).not.toContain('running-job');
    await app.press(KEY.backspace, KEY.backspace, KEY.backspace, 'd', 'i', 's');
    expect(app.lastFrame()).toContain('disabled-job');
    expect(app.lastFrame()).not.toContain('scheduled-job');
    await app.press(KEY.enter);
    expect(app.lastFrame()).toContain('filter "dis": 1 in the next 1000');
    expect(app.lastFrame()).toContain('disabled-job');
    await app.press(KEY.escape);
    expect(app.lastFrame()).toContain('scheduled-job');
    expect(app.lastFrame()).not.toContain('filter "');
    expect(app.quits()).toBe(0);
  });

  it('takes "/text" arriving in one read (fast typing, paste) as the filter', async () => {
    const app = await mount(fourStates());
    await app.press('/retry');
    expect(app.lastFrame()).toContain('/retry▏');
    expect(app.lastFrame()).toContain('retrying-job');
    expect(app.lastFrame()).not.toContain('scheduled-job');
  });

  it('says when nothing matches the filter', async () => {
    const app = await mount(fourStates());
    await app.press('/', 'z', 'z');
    expect(app.lastFrame()).toContain('no job matches "zz"');
  });

  it('d disables the selected job, and enables it again', async () => {
    const client = fourStates();
    const app = await mount(client);
    await app.press(KEY.down, KEY.down, 'd');
    expect(client.callsOf('disable')).toEqual([{ kind: 'disable', path: 'scheduled-job', body: 's' }]);
    expect(app.lastFrame()).toContain('disabled scheduled-job s');
    expect(app.line('scheduled-job')).toMatch(/disabled\s+scheduled-job/);
    // Disabled jobs sort last; the selection stays where it was, on another job now.
    await app.press(KEY.end, 'd');
    expect(client.callsOf('enable')).toHaveLength(1);
    expect(client.jobs.filter((j) => j.next_run === null)).toHaveLength(1);
  });

  it('acts on the job the keys before it selected, when they arrive in one read', async () => {
    const client = fourStates();
    const app = await mount(client);
    await app.press(KEY.end + 'd');
    expect(client.callsOf('enable')).toEqual([{ kind: 'enable', path: 'disabled-job', body: 'd' }]);
    await app.press(KEY.home + KEY.down + KEY.down + 'x');
    expect(app.lastFrame()).toContain('cancel job scheduled-job s? y/n');
  });

  it('reports a failed action on the bottom line without crashing', async () => {
    const client = fourStates();
    const app = await mount(client);
    client.jobs = client.jobs.filter((j) => j.path !== 'running-job');
    await app.press('d');
    expect(app.lastFrame()).toContain('could not disable running-job r: job not found');
    expect(app.instance).toBeDefined();
    await app.advance(1000);
    expect(app.lastFrame()).toContain('job 1 of 3');
  });

  it('x asks before cancelling: n keeps the job, y cancels it', async () => {
    const client = fourStates();
    const app = await mount(client);
    await app.press(KEY.down, 'x');
    expect(app.lastFrame()).toContain('cancel job retrying-job t? y/n');
    await app.press('n');
    expect(app.lastFrame()).toContain('not cancelled');
    expect(client.callsOf('cancel')).toHaveLength(0);
    await app.press('x', 'y');
    expect(client.callsOf('cancel')).toEqual([{ kind: 'cancel', path: 'retrying-job', body: 't' }]);
    expect(app.lastFrame()).toContain('cancelled retrying-job t');
    expect(app.lastFrame()).not.toContain('retrying ×3');
  });

  it('Enter shows the selected job\'s recent runs; any key goes back to the table', async () => {
    const client = fourStates();
    client.runsByJob.set('retrying-job t', [
      { sched: '2026-11-28T08:59:00Z', started_at: '2026-11-28T08:59:58Z', duration_ms: 40, status: '500', outcome: 'retry', attempt: 3, instance_id: 7 },
      { sched: '2026-11-28T08:59:00Z', started_at: '2026-11-28T08:59:00Z', duration_ms: 12, status: 'connect ECONNREFUSED', outcome: 'retry', attempt: 2, instance_id: 7 },
    ]);
    const app = await mount(client, { timeMode: 'utc' });
    await app.press(KEY.down, KEY.enter);
    await expect.poll(() => app.lastFrame()).toContain('connect ECONNREFUSED');
    const frame = app.lastFrame()!;
    expect(frame).toContain('Runs of retrying-job t, newest first');
    expect(frame).toMatch(/2026-11-28 08:59:58 UTC +3 +500 +retry +40 ms/);
    expect(frame).not.toContain('scheduled-job');
    expect(client.callsOf('runs')).toEqual([{ kind: 'runs', path: 'retrying-job', body: 't' }]);
    await app.press('x');
    expect(app.lastFrame()).toContain('scheduled-job');
    expect(client.callsOf('cancel')).toHaveLength(0);
  });

  it("Enter shows the runs' times in the job's location, as its row and `get` do", async () => {
    const client = new FakeClient([job('utc-job', { next_run: at(60) }), job('la-job', { next_run: at(61), location: 'America/Los_Angeles' })]);
    const run = { sched: '2026-11-28T08:59:00Z', started_at: '2026-11-28T08:59:58Z', duration_ms: 40, status: '500', outcome: 'retry', attempt: 3, instance_id: 7 };
    client.runsByJob.set('utc-job b', [run]);
    client.runsByJob.set('la-job b', [run]);
    const app = await mount(client);
    await app.press(KEY.enter);
    await expect.poll(() => app.lastFrame()).toMatch(/2026-11-28 08:59:58 UTC +3 +500 +retry +40 ms +2026-11-28 08:59:00 UTC/);
    await app.press('x', KEY.down, KEY.enter);
    await expect.poll(() => app.lastFrame()).toMatch(/2026-11-28 00:59:58 -08:00 +3 +500 +retry +40 ms +2026-11-28 00:59:00 -08:00/);
  });

  it('? shows the keys and any key hides them', async () => {
    const app = await mount(fourStates());
    await app.press('?');
    expect(app.lastFrame()).toContain('filter by text in path or body');
    expect(app.lastFrame()).not.toContain('scheduled-job');
    await app.press('q');
    expect(app.lastFrame()).toContain('scheduled-job');
    expect(app.quits()).toBe(0);
  });

  it.each([
    ['q', 'q'],
    ['Esc', KEY.escape],
    ['Ctrl-C', KEY.ctrlC],
  ])('%s quits', async (_name, key) => {
    const app = await mount(fourStates());
    await app.press(key);
    expect(app.quits()).toBe(1);
    await app.exited;
  });

  it('reads no keys when stdin is not a terminal', async () => {
    const app = await mount(fourStates(), { interactive: false });
    await app.press('q', KEY.down);
    expect(app.quits()).toBe(0);
    expect(app.line('running-job')).toMatch(/^> /);
  });

  it('Ctrl-C quits even in the middle of a filter', async () => {
    const app = await mount(fourStates());
    await app.press('/', 'a', KEY.ctrlC);
    expect(app.quits()).toBe(1);
  });
});

describe('WatchApp: terminal size', () => {
  it('fits a 60-column terminal and shows as many rows as fit', async () => {
    const app = await mount(new FakeClient(manyJobs(50)), {}, { columns: 60, rows: 12 });
    const lines = app.lastFrame().split('\n');
    for (const l of lines) expect(Array.from(l).length).toBeLessThanOrEqual(60);
    // One line is left free so Ink never repaints the whole screen: 2 header + titles + 6 rows + footer.
    expect(lines).toHaveLength(11);
    expect(app.lastFrame()).not.toContain('LOCATION');
  });

  it('uses the width of a 160-column terminal for all columns', async () => {
    const app = await mount(fourStates(), {}, { columns: 160, rows: 20 });
    expect(app.lastFrame()).toMatch(/STATE\s+PATH\s+BODY\s+NEXT RUN\s+INTERVAL\s+LOCATION\s+LAST/);
  });

  it('keeps the selection on screen when the terminal shrinks', async () => {
    const app = await mount(new FakeClient(manyJobs(50)), {}, { columns: 100, rows: 30 });
    for (let i = 0; i < 20; i += 1) await app.press(KEY.down);
    app.stdout.resize(100, 12);
    await settle();
    expect(app.line('job-00021')).toMatch(/^> /);
  });

  it('follows resizes', async () => {
    const client = new FakeClient(manyJobs(50));
    const app = await mount(client, {}, { columns: 160, rows: 30 });
    expect(app.lastFrame()).toContain('LOCATION');
    app.stdout.resize(60, 12);
    await settle();
    expect(app.lastFrame().split('\n')).toHaveLength(11);
    expect(app.lastFrame()).not.toContain('LOCATION');
  });
});

describe('WatchApp: 100,000 jobs', () => {
  it('fetches only what fits, follows the cursor as the selection moves down', async () => {
    const client = new FakeClient(manyJobs(100_000));
    const app = await mount(client, {}, { columns: 100, rows: 20 });
    // 20 rows: 15 job rows, plus a margin of 10.
    expect(client.callsOf('list')).toEqual([{ kind: 'list', params: { sortBy: 'next-run', reverse: false, limit: 25 } }]);
    expect(app.lastFrame()).toContain('job 1 of 100000');
    for (let i = 0; i < 30; i += 1) await app.press(KEY.down);
    expect(app.lastFrame()).toContain('job 31 of 100000');
    expect(app.line('job-00031')).toMatch(/^> /);
    expect(client.callsOf('continue').length).toBeGreaterThan(0);
    const fetched = client.calls.filter((c) => c.kind === 'list' || c.kind === 'continue').length;
    expect(fetched).toBeLessThan(30);
  });

  it('End shows the last job with one request from the far end', async () => {
    const client = new FakeClient(manyJobs(100_000));
    const app = await mount(client);
    client.calls = [];
    await app.press(KEY.end);
    expect(client.callsOf('list')).toEqual([{ kind: 'list', params: { sortBy: 'next-run', reverse: true, limit: 25 } }]);
    expect(client.callsOf('continue')).toHaveLength(0);
    expect(app.line('job-100000')).toMatch(/^> /);
    expect(app.lastFrame()).toContain('job 100000 of 100000');
    const rows = app.lastFrame().split('\n').filter((l) => l.includes('job-'));
    expect(rows.at(-1)).toContain('job-100000');
    await app.press(KEY.up);
    expect(app.line('job-99999')).toMatch(/^> /);
    expect(app.lastFrame()).toContain('job 99999 of 100000');
  });
});

describe('WatchApp: what a person trying it saw (issue 16)', () => {
  it('keeps "q quit" and "? help" in the footer at 80×24 and narrower', async () => {
    for (const columns of [80, 60, 40]) {
      const app = await mount(fourStates(), {}, { columns, rows: 24 });
      const footer = app.lastFrame().split('\n').at(-1)!;
      expect(footer, `${columns} columns`).toContain('q quit');
      expect(footer, `${columns} columns`).toContain('? help');
      expect(Array.from(footer).length).toBeLessThanOrEqual(columns);
    }
  });

  it('never cuts the next run: its date and zone show whole at 100 and 160 columns', async () => {
    const client = new FakeClient([job('far-job', { next_run: '2020-12-02T00:00:00-08:00', location: 'America/Los_Angeles' }), job('near-job', { next_run: at(5) })]);
    for (const columns of [100, 160]) {
      const app = await mount(client, {}, { columns, rows: 20 });
      expect(app.line('far-job')).toContain('in 323d09h Dec 02 00:00 -08:00');
      expect(app.line('near-job')).toContain('in 5s     22:09:05 UTC');
    }
  });

  it("shows times in the job's zone, or in UTC with --utc", async () => {
    const client = new FakeClient([job('report', { next_run: '2020-01-13T14:09:05-08:00', location: 'America/Los_Angeles' })]);
    expect((await mount(client)).line('report')).toContain('14:09:05 -08:00');
    expect((await mount(client, { timeMode: 'utc' })).line('report')).toContain('22:09:05 UTC');
  });

  it('shortens path and body before it drops the next run on a narrow terminal', async () => {
    const app = await mount(new FakeClient(manyJobs(5)), {}, { columns: 50, rows: 12 });
    expect(app.lastFrame()).toMatch(/STATE\s+PATH\s+BODY\s+NEXT RUN/);
    expect(app.line('job-00001')).toMatch(/in 1m00s/);
  });

  it('clears the whole screen when the terminal gets narrower, so no line of the old frame stays', async () => {
    const app = await mount(new FakeClient(manyJobs(20)), {}, { columns: 120, rows: 20 });
    const before = app.stdout.frames.length;
    app.stdout.resize(70, 20);
    await settle();
    const written = app.stdout.frames.slice(before).join('');
    expect(written).toContain('\u001b[2J');
    expect(app.lastFrame().split('\n').every((l) => Array.from(l).length <= 70)).toBe(true);
    // Wider again: nothing to clear.
    const wider = app.stdout.frames.length;
    app.stdout.resize(100, 20);
    await settle();
    expect(app.stdout.frames.slice(wider).join('')).not.toContain('\u001b[2J');
  });

  it('says what to do about a refused or missing token instead of only "retrying"', async () => {
    const client = fourStates();
    client.unauthorized = 'unauthorized: the daemon needs a token — pass --token or set DALGA_TOKEN';
    const app = await mount(client);
    expect(app.lastFrame()).toContain('unauthorized: the daemon needs a token — pass --token or set DALGA_TOKEN');
    expect(app.lastFrame()).not.toContain('disconnected');
  });

  it('after d the highlight stays in place, on the next job, instead of following the job to the disabled ones', async () => {
    const client = new FakeClient(manyJobs(8));
    const app = await mount(client, {}, { columns: 100, rows: 20 });
    await app.press(KEY.down, KEY.down);
    expect(app.line('job-00003')).toMatch(/^> /);
    await app.press('d');
    await app.advance(1000);
    expect(app.line('job-00003')).toMatch(/disabled/);
    expect(app.line('job-00004')).toMatch(/^> /);
    expect(app.lastFrame()).toContain('job 3 of 8');
  });

  it('--limit shows at most that many jobs, and End goes to the last of them', async () => {
    const client = new FakeClient(manyJobs(100));
    const app = await mount(client, { query: { limit: 5 } }, { columns: 100, rows: 20 });
    expect(client.callsOf('list')[0]).toEqual({ kind: 'list', params: { sortBy: 'next-run', reverse: false, limit: 5 } });
    expect(app.lastFrame()).toContain('job-00005');
    expect(app.lastFrame()).not.toContain('job-00006');
    expect(app.lastFrame()).toContain('job 1 of the first 5');
    await app.press(KEY.end);
    expect(app.line('job-00005')).toMatch(/^> /);
    await app.advance(1000);
    expect(app.lastFrame()).not.toContain('job-00006');
    expect(client.callsOf('continue')).toHaveLength(0);
  });

  it('Ctrl-C quits as an interruption (exit 130), q as a normal quit', async () => {
    const reasons: string[] = [];
    const a = await mount(fourStates(), { onQuit: (reason) => reasons.push(reason) });
    await a.press(KEY.ctrlC);
    const b = await mount(fourStates(), { onQuit: (reason) => reasons.push(reason) });
    await b.press('q');
    expect(reasons).toEqual(['interrupted', 'quit']);
  });
});
