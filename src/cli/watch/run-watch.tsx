// Entry point of `dalga ls --watch`, loaded lazily by the `ls` command when stdout is a TTY.
// Draws on the terminal's alternate screen and puts the terminal back as it was on the way out,
// however the view ends.

import { render } from 'ink';
import type { TimeMode } from '../job-text.js';
import type { WatchClient } from './watch-client.js';
import { type QuitReason, WatchApp, type WatchQuery } from './WatchApp.js';

export type { WatchClient } from './watch-client.js';

export interface RunWatchOptions {
  client: WatchClient;
  url: string;
  query: WatchQuery;
  refreshMs: number;
  color: boolean;
  timeMode: TimeMode;
}

const ENTER_ALT_SCREEN = '\u001b[?1049h\u001b[H';
const LEAVE_ALT_SCREEN = '\u001b[?1049l';
const SHOW_CURSOR = '\u001b[?25h';
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** https://no-color.org: a non-empty NO_COLOR turns colour off whatever else says. */
export function colourAllowed(requested: boolean, env: NodeJS.ProcessEnv): boolean {
  return requested && !env['NO_COLOR'];
}

/**
 * Resolves when the view ends: `quit` for q or Esc, `interrupted` for Ctrl-C or a signal (the
 * command then exits 130, as an interrupted client command does). Network errors are shown,
 * never thrown.
 */
export async function runWatch(options: RunWatchOptions): Promise<QuitReason> {
  let reason: QuitReason = 'quit';
  const stdout = process.stdout;
  let restored = false;
  const restore = (): void => {
    if (restored) return;
    restored = true;
    stdout.write(SHOW_CURSOR + LEAVE_ALT_SCREEN);
  };
  // Also on a kill, when the finally below never runs.
  process.once('exit', restore);
  stdout.write(ENTER_ALT_SCREEN);
  try {
    const instance = render(
      <WatchApp
        client={options.client}
        url={options.url}
        query={options.query}
        refreshMs={Math.max(100, options.refreshMs)}
        color={colourAllowed(options.color, process.env)}
        timeMode={options.timeMode}
        onQuit={(why) => {
          reason = why;
        }}
        interactive={process.stdin.isTTY === true}
      />,
      { exitOnCtrlC: false, patchConsole: true },
    );
    // Keys are read in raw mode, so Ctrl-C is a key; a signal from elsewhere still ends the
    // view the same way, leaving the terminal as it was.
    const stop = (): void => {
      reason = 'interrupted';
      instance.unmount();
    };
    for (const signal of SIGNALS) process.once(signal, stop);
    try {
      await instance.waitUntilExit();
    } finally {
      for (const signal of SIGNALS) process.off(signal, stop);
      instance.cleanup();
    }
  } finally {
    restore();
    process.off('exit', restore);
  }
  return reason;
}
