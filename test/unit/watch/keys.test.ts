import { describe, expect, it } from 'vitest';
import { interpretKey } from '../../../src/cli/watch/keys.js';
import { initialState, reduce, type ViewState } from '../../../src/cli/watch/view-state.js';
import { job } from './fake-client.js';

const status = { instance_id: 1, instance_running_jobs: 0, running_jobs: 0, total_jobs: 2, pending_jobs: 0, total_instances: 1, lag: 0 };
const loaded: ViewState = reduce(initialState(), {
  type: 'loaded',
  gen: 0,
  pages: [{ after: null, jobs: [job('on', { body: '1' }), job('off', { body: '2', next_run: null })], next: '' }],
  status,
  at: 0,
  visible: 10,
});
const withMode = (mode: ViewState['mode'], over: Partial<ViewState> = {}): ViewState => ({ ...loaded, mode, ...over });

describe('interpretKey in normal mode', () => {
  it('quits on q and Esc without a filter; Ctrl-C quits as an interruption', () => {
    expect(interpretKey(loaded, 'q', {}, 10).effect).toEqual({ kind: 'quit' });
    expect(interpretKey(loaded, '', { escape: true }, 10).effect).toEqual({ kind: 'quit' });
    expect(interpretKey(loaded, 'c', { ctrl: true }, 10).effect).toEqual({ kind: 'quit', interrupted: true });
  });

  it('Esc with a filter clears it instead of quitting', () => {
    const outcome = interpretKey({ ...loaded, filter: 'x' }, '', { escape: true }, 10);
    expect(outcome.actions).toContainEqual({ type: 'filter', text: '' });
    expect(outcome.effect).toEqual({ kind: 'refresh' });
  });

  it('maps arrows and paging keys to moves', () => {
    expect(interpretKey(loaded, '', { downArrow: true }, 7).actions).toEqual([{ type: 'move', move: 'down', visible: 7 }]);
    expect(interpretKey(loaded, '', { pageUp: true }, 7).actions).toEqual([{ type: 'move', move: 'pageUp', visible: 7 }]);
    expect(interpretKey(loaded, '', { end: true }, 7).actions).toEqual([{ type: 'move', move: 'end', visible: 7 }]);
  });

  it('d disables an enabled job and enables a disabled one', () => {
    expect(interpretKey(loaded, 'd', {}, 10).effect).toEqual({ kind: 'call', verb: 'disable', target: { path: 'on', body: '1' } });
    const second = reduce(loaded, { type: 'move', move: 'down', visible: 10 });
    expect(interpretKey(second, 'd', {}, 10).effect).toEqual({ kind: 'call', verb: 'enable', target: { path: 'off', body: '2' } });
  });

  it('r asks to run the selected job now, enabled or disabled', () => {
    expect(interpretKey(loaded, 'r', {}, 10).effect).toEqual({ kind: 'call', verb: 'run', target: { path: 'on', body: '1' } });
    const second = reduce(loaded, { type: 'move', move: 'down', visible: 10 });
    expect(interpretKey(second, 'r', {}, 10).effect).toEqual({ kind: 'call', verb: 'run', target: { path: 'off', body: '2' } });
  });

  it('x asks for confirmation before anything is called', () => {
    const outcome = interpretKey(loaded, 'x', {}, 10);
    expect(outcome).toEqual({ actions: [{ type: 'confirm', target: { path: 'on', body: '1' } }] });
  });

  it('does nothing to a job when none is selected', () => {
    expect(interpretKey(initialState(), 'd', {}, 10).effect).toBeUndefined();
    expect(interpretKey(initialState(), 'x', {}, 10).actions).not.toContainEqual(expect.objectContaining({ type: 'confirm' }));
  });

  it('/ starts a filter, taking any text that came with it', () => {
    expect(interpretKey(loaded, '/', {}, 10).actions).toContainEqual({ type: 'mode', mode: 'filter' });
    expect(interpretKey(loaded, '/ab', {}, 10).actions).toContainEqual({ type: 'filter', text: 'ab' });
  });

  it('? opens the help', () => {
    expect(interpretKey(loaded, '?', {}, 10).actions).toEqual([{ type: 'mode', mode: 'help' }]);
  });
});

describe('interpretKey in other modes', () => {
  it('any key closes the help, but Ctrl-C still quits', () => {
    expect(interpretKey(withMode('help'), 'q', {}, 10)).toEqual({ actions: [{ type: 'mode', mode: 'normal' }] });
    expect(interpretKey(withMode('help'), 'c', { ctrl: true }, 10).effect).toEqual({ kind: 'quit', interrupted: true });
  });

  it('y confirms the cancel; anything else keeps the job', () => {
    const confirming = withMode('confirm', { confirm: { path: 'on', body: '1' } });
    expect(interpretKey(confirming, 'y', {}, 10).effect).toEqual({ kind: 'call', verb: 'cancel', target: { path: 'on', body: '1' } });
    expect(interpretKey(confirming, 'Y', {}, 10).effect?.kind).toBe('call');
    const kept = interpretKey(confirming, 'n', {}, 10);
    expect(kept.effect).toBeUndefined();
    expect(kept.actions).toContainEqual({ type: 'message', text: 'not cancelled', error: false });
    expect(interpretKey(confirming, '', { escape: true }, 10).effect).toBeUndefined();
  });

  it('edits the filter: typing, backspace, Enter keeps, Esc clears; q is text', () => {
    const filtering = withMode('filter', { filter: 'ab' });
    expect(interpretKey(filtering, 'q', {}, 10).actions).toEqual([{ type: 'filter', text: 'abq' }]);
    expect(interpretKey(filtering, '', { backspace: true }, 10).actions).toEqual([{ type: 'filter', text: 'a' }]);
    expect(interpretKey(filtering, '', { return: true }, 10).actions).toEqual([{ type: 'mode', mode: 'normal' }]);
    expect(interpretKey(filtering, '', { escape: true }, 10).actions).toEqual([
      { type: 'filter', text: '' },
      { type: 'mode', mode: 'normal' },
    ]);
    expect(interpretKey(filtering, '\t', {}, 10)).toEqual({ actions: [] });
  });
});
