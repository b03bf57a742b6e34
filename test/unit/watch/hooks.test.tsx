import { EventEmitter } from 'node:events';
import { Text } from 'ink';
import { render } from 'ink-testing-library';
import { useEffect } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient } from '../../../src/client/client.js';
import { colourAllowed } from '../../../src/cli/watch/run-watch.js';
import type { WatchClient } from '../../../src/cli/watch/watch-client.js';
import { usePoll } from '../../../src/cli/watch/use-poll.js';
import { useNow } from '../../../src/cli/watch/use-now.js';
import { type SizeSource, useTerminalSize } from '../../../src/cli/watch/use-terminal-size.js';
import { FakeClock } from '../../support/fake-clock.js';
import { settle, unmountAll } from './render-at.js';

const mounted: { unmount(): void }[] = [];
afterEach(() => {
  for (const m of mounted.splice(0)) m.unmount();
  unmountAll();
});

function Poller(props: { task: () => Promise<void>; clock: FakeClock; onRefresh?: (refresh: () => void) => void }) {
  const refresh = usePoll(props.task, 1000, props.clock);
  useEffect(() => props.onRefresh?.(refresh), [refresh, props]);
  return <Text>poller</Text>;
}

describe('usePoll', () => {
  it('runs at once and then every interval, and keeps going after a failing run', async () => {
    const clock = new FakeClock();
    let runs = 0;
    const task = async (): Promise<void> => {
      runs += 1;
      if (runs === 2) throw new Error('boom');
    };
    mounted.push(render(<Poller task={task} clock={clock} />));
    await settle();
    expect(runs).toBe(1);
    clock.advance(999);
    await settle();
    expect(runs).toBe(1);
    clock.advance(1);
    await settle();
    expect(runs).toBe(2);
    clock.advance(1000);
    await settle();
    expect(runs).toBe(3);
  });

  it('refresh runs again at once, or right after a run in flight, and nothing runs after unmount', async () => {
    const clock = new FakeClock();
    let runs = 0;
    let release: () => void = () => undefined;
    const task = (): Promise<void> => {
      runs += 1;
      return new Promise<void>((resolve) => (release = resolve));
    };
    let refresh: () => void = () => undefined;
    const view = render(<Poller task={task} clock={clock} onRefresh={(r) => (refresh = r)} />);
    await settle();
    expect(runs).toBe(1);
    refresh(); // during the first run
    release();
    await settle();
    expect(runs).toBe(2);
    release();
    await settle();
    refresh(); // while waiting for the next tick
    await settle();
    expect(runs).toBe(3);
    release();
    view.unmount();
    clock.advance(5000);
    await settle();
    expect(runs).toBe(3);
  });
});

function Clocked({ clock }: { clock: FakeClock }) {
  return <Text>{String(useNow(clock))}</Text>;
}

describe('useNow', () => {
  it('changes on whole seconds of the clock', async () => {
    const clock = new FakeClock(10_500);
    const view = render(<Clocked clock={clock} />);
    mounted.push(view);
    await settle();
    expect(view.lastFrame()).toBe('10500');
    clock.advance(499);
    await settle();
    expect(view.lastFrame()).toBe('10500');
    clock.advance(1);
    await settle();
    expect(view.lastFrame()).toBe('11000');
  });
});

class Screen extends EventEmitter implements SizeSource {
  columns = 80;
  rows = 24;
}

function Size({ source }: { source: SizeSource }) {
  const { columns, rows } = useTerminalSize(source);
  return <Text>{`${columns}x${rows}`}</Text>;
}

describe('useTerminalSize', () => {
  it('follows resize events', async () => {
    const screen = new Screen();
    const view = render(<Size source={screen} />);
    mounted.push(view);
    expect(view.lastFrame()).toBe('80x24');
    screen.columns = 60;
    screen.rows = 15;
    screen.emit('resize');
    await settle();
    expect(view.lastFrame()).toBe('60x15');
  });
});

describe('colourAllowed', () => {
  it('turns colour off for a non-empty NO_COLOR or when not requested', () => {
    expect(colourAllowed(true, {})).toBe(true);
    expect(colourAllowed(true, { NO_COLOR: '1' })).toBe(false);
    expect(colourAllowed(true, { NO_COLOR: '' })).toBe(true);
    expect(colourAllowed(false, {})).toBe(false);
  });
});

describe('WatchClient', () => {
  it('is satisfied by the real API client', () => {
    // A type check as much as a test: `ls` passes the real client where a WatchClient is expected.
    const client: WatchClient = createClient({ baseURL: 'http://127.0.0.1:1' });
    expect(typeof client.listContinue).toBe('function');
  });
});
