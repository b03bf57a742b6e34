// The live view's state and its pure reducer: selection, scrolling, modes, fetched pages.
// Indexes (`sel`, `edge`) count rows in fetch order after filtering. From the head, row 0 is the
// first job and is drawn at the top; from the tail (after End) row 0 is the last job and is drawn
// at the bottom, so "down" on screen means a smaller index there.

import type { RunJson, StatusJson } from '../../client/types.js';
import { jobKey } from './format.js';
import { flatten, isComplete, type Page, type Row } from './job-window.js';

export type Mode = 'normal' | 'filter' | 'confirm' | 'help' | 'detail';

export interface Target {
  readonly path: string;
  readonly body: string;
  /** The job's location, where its runs' times are shown (Enter). */
  readonly location?: string;
}

export interface ViewState {
  /** Bumped when the fetch direction changes, so answers to older requests are dropped. */
  readonly gen: number;
  readonly tail: boolean;
  readonly pages: readonly Page[];
  readonly sel: number;
  /** Row nearest the anchored edge that is on screen (top row from the head, bottom row from the tail). */
  readonly edge: number;
  readonly filter: string;
  readonly mode: Mode;
  /** Job waiting for y/n in confirm mode. */
  readonly confirm?: Target;
  /** The job whose recent runs the detail mode (Enter) shows; runs undefined until they arrive. */
  readonly detail?: { readonly target: Target; readonly runs?: readonly RunJson[]; readonly error?: string };
  readonly message?: { readonly text: string; readonly error: boolean };
  readonly status?: StatusJson;
  /** Why the last fetch failed; undefined while connected. */
  readonly error?: string;
  /** When the last fetch succeeded (epoch ms). */
  readonly updatedAt?: number;
  /** Whether the last fetch failed for a missing or refused token (the header says what to do). */
  readonly unauthorized?: boolean;
  /**
   * A job just enabled or disabled from here: once a listing shows it changed, the selection
   * keeps its place instead of following the job to where it now sorts (disabled jobs last).
   */
  readonly pin?: { readonly key: string; readonly disabled: boolean };
}

export type Move = 'up' | 'down' | 'pageUp' | 'pageDown' | 'home' | 'end';

export type Action =
  | { type: 'loaded'; gen: number; pages: Page[]; status: StatusJson; at: number; visible: number }
  | { type: 'failed'; gen: number; message: string; unauthorized?: boolean }
  | { type: 'pin'; target: Target; disabled: boolean }
  | { type: 'move'; move: Move; visible: number }
  | { type: 'mode'; mode: Mode }
  | { type: 'filter'; text: string }
  | { type: 'confirm'; target: Target }
  | { type: 'detail'; target: Target }
  | { type: 'detailLoaded'; target: Target; runs?: readonly RunJson[]; error?: string }
  | { type: 'message'; text: string; error: boolean }
  | { type: 'clearMessage' };

export function initialState(): ViewState {
  return { gen: 0, tail: false, pages: [], sel: 0, edge: 0, filter: '', mode: 'normal' };
}

export function rowsOf(state: ViewState): Row[] {
  return flatten(state.pages, state.filter);
}

export function selectedRow(state: ViewState): Row | undefined {
  return rowsOf(state)[state.sel];
}

/** Whether the filter's fixed window is in use (typing a filter, or one is applied). */
export function isFiltering(state: Pick<ViewState, 'mode' | 'filter'>): boolean {
  return state.mode === 'filter' || state.filter !== '';
}

export function reduce(state: ViewState, action: Action): ViewState {
  switch (action.type) {
    case 'loaded':
      return loaded(state, action);
    case 'failed':
      return action.gen === state.gen ? { ...state, error: action.message, unauthorized: action.unauthorized === true } : state;
    case 'pin':
      return { ...state, pin: { key: jobKey(action.target), disabled: action.disabled } };
    case 'move':
      return move(state, action.move, action.visible);
    case 'mode':
      return { ...state, mode: action.mode, message: undefined };
    case 'filter':
      return { ...state, filter: action.text, sel: 0, edge: 0 };
    case 'confirm':
      return { ...state, mode: 'confirm', confirm: action.target, message: undefined };
    case 'detail':
      return { ...state, mode: 'detail', detail: { target: action.target }, message: undefined };
    case 'detailLoaded':
      // Only for the job still shown: a late answer after Esc (or for another job) is dropped.
      if (state.mode !== 'detail' || state.detail === undefined || jobKey(state.detail.target) !== jobKey(action.target)) return state;
      return { ...state, detail: { target: action.target, ...(action.runs ? { runs: action.runs } : {}), ...(action.error !== undefined ? { error: action.error } : {}) } };
    case 'message':
      return { ...state, message: { text: action.text, error: action.error } };
    case 'clearMessage':
      return { ...state, message: undefined };
  }
}

/** Keep the selection on the same job when it is still on screen; otherwise keep its position. */
function loaded(state: ViewState, action: Extract<Action, { type: 'loaded' }>): ViewState {
  if (action.gen !== state.gen) return state;
  const oldRow = selectedRow(state);
  const rows = flatten(action.pages, state.filter);
  const found = oldRow === undefined ? -1 : rows.findIndex((r) => jobKey(r.job) === jobKey(oldRow.job));
  const onScreen = found >= state.edge && found < state.edge + action.visible;
  const pinned = pinLanded(state.pin, rows);
  const sel = clamp(onScreen && !pinned ? found : state.sel, 0, rows.length - 1);
  return {
    ...state,
    pages: action.pages,
    status: action.status,
    error: undefined,
    unauthorized: false,
    updatedAt: action.at,
    sel,
    edge: keepVisible(state.edge, sel, action.visible),
    pin: pinned ? undefined : state.pin,
  };
}

/** Whether the listing shows the pinned job changed as asked (or gone): then the pin is used up. */
function pinLanded(pin: ViewState['pin'], rows: readonly Row[]): boolean {
  if (pin === undefined) return false;
  const row = rows.find((r) => jobKey(r.job) === pin.key);
  return row === undefined || (row.job.next_run === null) === pin.disabled;
}

function move(state: ViewState, kind: Move, visible: number): ViewState {
  if (kind === 'home' || kind === 'end') return jump(state, kind, visible);
  const page = Math.max(1, visible - 1);
  const screenDelta = { up: -1, down: 1, pageUp: -page, pageDown: page }[kind];
  const delta = state.tail ? -screenDelta : screenDelta;
  const count = rowsOf(state).length;
  const sel = clamp(state.sel + delta, 0, count - 1);
  return { ...state, sel, edge: keepVisible(state.edge, sel, visible) };
}

/**
 * Home/End: go to the first/last job. When everything is already held it is a move; otherwise
 * the view re-anchors at that end and fetches from there, so End over 100,000 jobs is one request.
 */
function jump(state: ViewState, kind: 'home' | 'end', visible: number): ViewState {
  const towardAnchor = (kind === 'home') !== state.tail;
  if (towardAnchor) return { ...state, sel: 0, edge: 0 };
  if (isComplete(state.pages)) {
    const sel = Math.max(0, rowsOf(state).length - 1);
    return { ...state, sel, edge: keepVisible(state.edge, sel, visible) };
  }
  return { ...state, gen: state.gen + 1, tail: !state.tail, pages: [], sel: 0, edge: 0 };
}

/** Smallest scroll change that keeps `sel` within the `visible` rows starting at `edge`. */
export function keepVisible(edge: number, sel: number, visible: number): number {
  const rows = Math.max(1, visible);
  if (sel < edge) return sel;
  if (sel >= edge + rows) return sel - rows + 1;
  return edge;
}

function clamp(n: number, low: number, high: number): number {
  return Math.max(low, Math.min(high, n));
}
