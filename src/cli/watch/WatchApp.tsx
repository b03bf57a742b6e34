// The container of the live view: polls the daemon, keeps the state, maps keys to actions and
// lays the screen out to the terminal's size. Everything time- or size-dependent is injectable,
// so tests drive it with a fake client, a fake clock and a fixed size.

import { Box, Text, useApp, useInput, useStdout } from 'ink';
import { UnauthorizedError } from '../../errors.js';
import { useCallback, useEffect, useReducer, useRef } from 'react';
import { type Clock, systemClock } from '../../clock.js';
import { columnLayout, MARKER_WIDTH, nextWidths, sanitize, type TimeMode, truncate } from './format.js';
import { Header } from './Header.js';
import { HelpOverlay } from './HelpOverlay.js';
import { FILTER_WINDOW, isComplete, MARGIN_ROWS, planSync, syncWindow } from './job-window.js';
import { JobsTable } from './JobsTable.js';
import { RunsDetail } from './RunsDetail.js';
import { runsInLocation } from '../run-times.js';
import { interpretKey } from './keys.js';
import { usePoll } from './use-poll.js';
import { useNow } from './use-now.js';
import { type TerminalSize, useTerminalSize } from './use-terminal-size.js';
import { type Action, initialState, isFiltering, keepVisible, reduce, rowsOf, type Target, type ViewState } from './view-state.js';
import type { SortBy, WatchClient } from './watch-client.js';

export interface WatchQuery {
  readonly path?: string;
  readonly sortBy?: string;
  readonly reverse?: boolean;
  /** Show only the first `limit` jobs (`ls --watch --limit`). */
  readonly limit?: number;
}

/** How the view ended: `interrupted` for Ctrl-C (the command then exits 130). */
export type QuitReason = 'quit' | 'interrupted';

export interface WatchAppProps {
  readonly client: WatchClient;
  /** Daemon URL, shown in the header. */
  readonly url: string;
  readonly query: WatchQuery;
  readonly refreshMs: number;
  /** Colour allowed (TTY, no NO_COLOR, no --no-color). */
  readonly color: boolean;
  /** Time source; the system clock by default. */
  readonly clock?: Clock;
  /** Fixed size instead of following the terminal (tests). */
  readonly size?: TerminalSize;
  /** Zone the times are shown in: each job's own location by default (--utc, --local). */
  readonly timeMode?: TimeMode;
  /** Called when the user quits, before Ink exits. */
  readonly onQuit?: (reason: QuitReason) => void;
  /** Read keys (default). False when stdin is not a terminal: then only a signal ends the view. */
  readonly interactive?: boolean;
}

/** Lines that are not job rows: two of header, the column titles and the footer. */
const CHROME_LINES = 4;
const SORTS: readonly SortBy[] = ['next-run', 'next-sched', 'insert-order'];

export function visibleRows(size: TerminalSize): number {
  // One line short of the terminal: output as tall as the screen makes Ink clear it on every frame.
  return Math.max(1, size.rows - 1 - CHROME_LINES);
}

export function WatchApp(props: WatchAppProps): React.JSX.Element {
  const clock = props.clock ?? systemClock;
  const terminal = useTerminalSize();
  const size = props.size ?? terminal;
  const visible = visibleRows(size);
  const now = useNow(clock);
  const [state, reactDispatch] = useReducer(reduce, undefined, initialState);
  const { exit } = useApp();

  // The latest state, ahead of React: the poll task outlives renders, and keys that arrive in one
  // read ("End" then "d") are handled before React re-renders, so both must see every action
  // already applied. The reducer is pure, so applying it here too gives React's result.
  const stateRef = useRef(state);
  const dispatch = useCallback((action: Action): void => {
    stateRef.current = reduce(stateRef.current, action);
    reactDispatch(action);
  }, []);
  const visibleRef = useRef(visible);
  visibleRef.current = visible;

  const sortBy = SORTS.find((s) => s === props.query.sortBy) ?? 'next-run';
  const limit = props.query.limit;
  useClearOnNarrowing();
  const { client } = props;
  const task = useCallback(async (): Promise<void> => {
    const s = stateRef.current;
    const vis = visibleRef.current;
    const filtering = isFiltering(s);
    const plan = planSync(s.pages, { edge: s.edge, sel: s.sel, visible: vis, filter: s.filter, filtering, ...(limit !== undefined ? { limit } : {}) });
    const query = { path: props.query.path, sortBy, reverse: (props.query.reverse ?? false) !== s.tail };
    try {
      const [pages, status] = await Promise.all([syncWindow(client, query, s.pages, plan, s.filter), client.status()]);
      dispatch({ type: 'loaded', gen: s.gen, pages, status, at: clock.now(), visible: vis });
    } catch (error) {
      // A token problem needs its hint: retrying will not fix it. Other errors read
      // "<what> — <hint>"; the header has room for the what, and shows the URL anyway.
      if (error instanceof UnauthorizedError) dispatch({ type: 'failed', gen: s.gen, message: describe(error), unauthorized: true });
      else dispatch({ type: 'failed', gen: s.gen, message: describe(error).split(' — ')[0] ?? '' });
    }
  }, [client, clock, dispatch, limit, props.query.path, props.query.reverse, sortBy]);
  const refresh = usePoll(task, props.refreshMs, clock);

  // Fetch more as soon as the selection nears the end of what is held, not at the next tick.
  const rows = rowsOf(state);
  // Not before the first answer: the poll's first run is already on its way.
  const wantMore =
    state.updatedAt !== undefined &&
    !isFiltering(state) && !isComplete(state.pages) && rows.length < Math.max(state.edge + visible, state.sel + 1) + MARGIN_ROWS / 2;
  useEffect(() => {
    if (wantMore) refresh();
  }, [wantMore, state.sel, state.edge, state.gen, state.pages, refresh]);

  const quit = (reason: QuitReason): void => {
    props.onQuit?.(reason);
    exit();
  };
  const act = async (verb: 'enable' | 'disable' | 'cancel' | 'run', target: Target): Promise<void> => {
    const name = `${sanitize(target.path)} ${sanitize(target.body)}`;
    if (verb === 'enable' || verb === 'disable') dispatch({ type: 'pin', target, disabled: verb === 'disable' });
    try {
      await client[verb](target.path, target.body);
      dispatch({ type: 'message', text: `${pastTense(verb)} ${name}`, error: false });
    } catch (error) {
      dispatch({ type: 'message', text: `could not ${verb} ${name}: ${describe(error)}`, error: true });
    }
    refresh();
  };

  const showRuns = async (target: Target): Promise<void> => {
    try {
      const page = await client.runs(target.path, target.body, { limit: Math.max(1, visible - 2) });
      const runs = (props.timeMode ?? 'job') === 'job' ? await runsInLocation(page.runs, target.location ?? 'UTC') : page.runs;
      dispatch({ type: 'detailLoaded', target, runs });
    } catch (error) {
      dispatch({ type: 'detailLoaded', target, error: describe(error) });
    }
  };

  useInput(
    (input, key) => {
      const outcome = interpretKey(stateRef.current, input, key, visible);
      for (const action of outcome.actions) dispatch(action);
      const effect = outcome.effect;
      if (effect?.kind === 'quit') quit(effect.interrupted ? 'interrupted' : 'quit');
      if (effect?.kind === 'refresh') refresh();
      if (effect?.kind === 'call') void act(effect.verb, effect.target);
      if (effect?.kind === 'runs') void showRuns(effect.target);
    },
    { isActive: props.interactive ?? true },
  );

  const width = size.columns;
  const timeMode = props.timeMode ?? 'job';
  const screen = screenRows(state, visible);
  return (
    // No explicit width: while Ink redraws for a resize, before this component hears of it, the
    // terminal's own width cuts the lines, so none is wider than the screen and wraps.
    <Box flexDirection="column">
      <Header
        url={props.url}
        status={state.status}
        error={state.error}
        unauthorized={state.unauthorized === true}
        detail={detailLine(state, sortBy, props.query)}
        width={width}
        color={props.color}
      />
      {state.mode === 'help' ? (
        <HelpOverlay width={width} height={visible + 1} />
      ) : state.mode === 'detail' && state.detail ? (
        <RunsDetail detail={state.detail} width={width} height={visible + 1} now={now} timeMode={timeMode} />
      ) : (
        <JobsTable
          jobs={screen.jobs}
          selected={screen.selected}
          columns={columnLayout(width, nextWidths(screen.jobs, now, timeMode))}
          now={now}
          timeMode={timeMode}
          color={props.color}
          empty={emptyText(state)}
        />
      )}
      <Footer state={state} width={width} color={props.color} />
    </Box>
  );
}

/** The rows on screen, top to bottom, and which of them is selected. */
export function screenRows(state: ViewState, visible: number): { jobs: ReturnType<typeof rowsOf>[number]['job'][]; selected: number } {
  // After the terminal shrank, the selection may sit below the screen until the next move.
  const edge = keepVisible(state.edge, state.sel, visible);
  const slice = rowsOf(state)
    .slice(edge, edge + visible)
    .map((r) => r.job);
  const offset = state.sel - edge;
  if (!state.tail) return { jobs: slice, selected: offset };
  return { jobs: slice.reverse(), selected: slice.length - 1 - offset };
}

function detailLine(state: ViewState, sortBy: SortBy, query: WatchQuery): string {
  const parts = [`by ${sortBy}${query.reverse ? ' (reversed)' : ''}`];
  if (query.path !== undefined) parts.push(`path ${sanitize(query.path)}`);
  const count = rowsOf(state).length;
  if (isFiltering(state)) {
    const where = state.tail ? 'last' : 'next';
    parts.push(`filter "${sanitize(state.filter)}": ${count} in the ${where} ${FILTER_WINDOW}`);
  } else if (count > 0) {
    const total = state.status?.total_jobs;
    const position = state.tail && total !== undefined ? total - state.sel : state.sel + 1;
    if (query.limit !== undefined) parts.push(`job ${position} of the first ${query.limit}`);
    else parts.push(query.path === undefined && total !== undefined ? `job ${position} of ${total}` : `job ${position}`);
  }
  return parts.join('  ·  ');
}

function emptyText(state: ViewState): string {
  if (state.updatedAt === undefined) return state.error === undefined ? 'loading…' : 'no data yet';
  if (state.filter !== '') return `no job matches "${sanitize(state.filter)}"`;
  return 'no jobs';
}

/** Footer hints, most useful last: they are dropped from the front until the line fits, so "? help" and "q quit" always show. */
const HINTS = ['PgUp PgDn Home End', '↑↓ move', 'r run now', 'x cancel', 'd disable/enable', '/ filter', '? help', 'q quit'] as const;
const HINT_ORDER = ['↑↓ move', 'PgUp PgDn Home End', '/ filter', 'd disable/enable', 'r run now', 'x cancel', '? help', 'q quit'] as const;

/** The hints that fit in `width` (after the marker), in reading order. */
export function footerHints(width: number): string {
  const kept = new Set<string>(HINTS);
  const text = (): string => HINT_ORDER.filter((h) => kept.has(h)).join('  ');
  for (const hint of HINTS) {
    if (MARKER_WIDTH + text().length <= width || kept.size <= 2) break;
    kept.delete(hint);
  }
  return text();
}

/**
 * A terminal that gets narrower re-wraps the lines already on it (most do), so the old frame
 * takes more lines than Ink erases: clear the whole screen first. The listener goes before
 * Ink's own, which then draws the new frame on the cleared screen.
 */
function useClearOnNarrowing(): void {
  const { stdout } = useStdout();
  useEffect(() => {
    let last = stdout.columns;
    const onResize = (): void => {
      if (stdout.columns < last) stdout.write(CLEAR_SCREEN);
      last = stdout.columns;
    };
    stdout.prependListener('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
}

const CLEAR_SCREEN = '\u001b[2J\u001b[H';

function Footer({ state, width, color }: { readonly state: ViewState; readonly width: number; readonly color: boolean }): React.JSX.Element {
  if (state.mode === 'filter') {
    return <Text wrap="truncate">{truncate(`/${state.filter}▏  Enter keep · Esc clear`, width)}</Text>;
  }
  if (state.mode === 'confirm' && state.confirm) {
    const name = `${sanitize(state.confirm.path)} ${sanitize(state.confirm.body)}`;
    return (
      <Text wrap="truncate" bold color={color ? 'yellow' : undefined}>
        {truncate(`cancel job ${name}? y/n`, width)}
      </Text>
    );
  }
  if (state.message) {
    return (
      <Text wrap="truncate" color={color && state.message.error ? 'red' : undefined}>
        {truncate(state.message.text, width)}
      </Text>
    );
  }
  return (
    <Text wrap="truncate" dimColor={color}>
      {truncate(' '.repeat(MARKER_WIDTH) + footerHints(width), width)}
    </Text>
  );
}

function pastTense(verb: 'enable' | 'disable' | 'cancel' | 'run'): string {
  if (verb === 'run') return 'asked to run';
  return verb === 'cancel' ? 'cancelled' : `${verb}d`;
}

/** One line, whatever was thrown. */
export function describe(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}
