// What a key press does, as data: state changes for the reducer plus at most one effect for the
// container to carry out (quit, refresh, call the daemon). Pure, so every key is unit-tested
// without a terminal.

import type { Key } from 'ink';
import { type Action, type Move, selectedRow, type Target, type ViewState } from './view-state.js';

export type Effect =
  /** `interrupted`: Ctrl-C, which exits 130 like an interrupted client command. */
  | { readonly kind: 'quit'; readonly interrupted?: boolean }
  | { readonly kind: 'refresh' }
  | { readonly kind: 'call'; readonly verb: 'enable' | 'disable' | 'cancel' | 'run'; readonly target: Target }
  /** Enter: fetch the selected job's recent runs for the detail view. */
  | { readonly kind: 'runs'; readonly target: Target };

export interface KeyOutcome {
  readonly actions: readonly Action[];
  readonly effect?: Effect;
}

/** The keys Ink reports; only the ones read here need be set. */
export type KeyFlags = Partial<Pick<Key, 'upArrow' | 'downArrow' | 'pageUp' | 'pageDown' | 'home' | 'end' | 'escape' | 'return' | 'backspace' | 'delete' | 'ctrl' | 'meta'>>;

const NOTHING: KeyOutcome = { actions: [] };
const QUIT: KeyOutcome = { actions: [], effect: { kind: 'quit' } };
const INTERRUPT: KeyOutcome = { actions: [], effect: { kind: 'quit', interrupted: true } };

export function interpretKey(state: ViewState, input: string, key: KeyFlags, visible: number): KeyOutcome {
  if (key.ctrl && input === 'c') return INTERRUPT;
  if (state.mode === 'help' || state.mode === 'detail') return { actions: [{ type: 'mode', mode: 'normal' }] };
  if (state.mode === 'confirm') return confirmKey(state, input);
  const move = moveOf(key);
  if (move !== undefined) return { actions: [{ type: 'move', move, visible }] };
  if (state.mode === 'filter') return filterKey(state.filter, input, key);
  return normalKey(state, input, key);
}

function confirmKey(state: ViewState, input: string): KeyOutcome {
  const back: Action = { type: 'mode', mode: 'normal' };
  if ((input === 'y' || input === 'Y') && state.confirm) {
    return { actions: [back], effect: { kind: 'call', verb: 'cancel', target: state.confirm } };
  }
  return { actions: [back, { type: 'message', text: 'not cancelled', error: false }] };
}

function normalKey(state: ViewState, input: string, key: KeyFlags): KeyOutcome {
  const actions: Action[] = [{ type: 'clearMessage' }];
  if (input === 'q') return QUIT;
  if (key.escape) {
    if (state.filter === '') return QUIT;
    return { actions: [...actions, { type: 'filter', text: '' }], effect: { kind: 'refresh' } };
  }
  if (input.startsWith('/')) {
    // Typed fast or pasted, "/text" arrives as one input: the rest is the filter's start.
    const typed = input.length > 1 ? filterKey(state.filter, input.slice(1), key).actions : [];
    return { actions: [...actions, { type: 'mode', mode: 'filter' }, ...typed], effect: { kind: 'refresh' } };
  }
  if (input === '?') return { actions: [{ type: 'mode', mode: 'help' }] };
  const row = selectedRow(state);
  if (row === undefined) return { actions };
  const target = { path: row.job.path, body: row.job.body };
  if (input === 'd') return { actions, effect: { kind: 'call', verb: row.job.next_run === null ? 'enable' : 'disable', target } };
  if (input === 'x') return { actions: [{ type: 'confirm', target }] };
  if (input === 'r') return { actions, effect: { kind: 'call', verb: 'run', target } };
  if (key.return) {
    const detail = { ...target, location: row.job.location };
    return { actions: [{ type: 'detail', target: detail }], effect: { kind: 'runs', target: detail } };
  }
  return { actions };
}

function filterKey(filter: string, input: string, key: KeyFlags): KeyOutcome {
  if (key.escape) return { actions: [{ type: 'filter', text: '' }, { type: 'mode', mode: 'normal' }], effect: { kind: 'refresh' } };
  if (key.return) return { actions: [{ type: 'mode', mode: 'normal' }] };
  if (key.backspace || key.delete) return { actions: [{ type: 'filter', text: Array.from(filter).slice(0, -1).join('') }] };
  const text = input.replace(/[\u0000-\u001f\u007f]/g, '');
  if (key.ctrl || key.meta || text === '') return NOTHING;
  return { actions: [{ type: 'filter', text: filter + text }] };
}

function moveOf(key: KeyFlags): Move | undefined {
  if (key.upArrow) return 'up';
  if (key.downArrow) return 'down';
  if (key.pageUp) return 'pageUp';
  if (key.pageDown) return 'pageDown';
  if (key.home) return 'home';
  if (key.end) return 'end';
  return undefined;
}
