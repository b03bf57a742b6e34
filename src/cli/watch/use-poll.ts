// Runs `task` now and then every `intervalMs` after the previous run finished (a chained wait, so
// slow answers never pile up), until unmount. The returned `refresh` runs it again at once, or
// right after the run in flight. The task reports its own results; anything it throws is dropped
// here, because a failed poll must never end the loop.

import { useCallback, useEffect, useRef } from 'react';
import type { Clock } from '../../clock.js';

export function usePoll(task: (signal: AbortSignal) => Promise<void>, intervalMs: number, clock: Clock): () => void {
  const taskRef = useRef(task);
  taskRef.current = task;
  const kickRef = useRef<() => void>(() => undefined);

  useEffect(() => {
    const stop = new AbortController();
    let wake = new AbortController();
    let kicked = false;
    kickRef.current = () => {
      kicked = true;
      wake.abort();
    };
    const loop = async (): Promise<void> => {
      while (!stop.signal.aborted) {
        kicked = false;
        try {
          await taskRef.current(stop.signal);
        } catch {
          // The task dispatches its own failures; keep polling whatever happened.
        }
        if (stop.signal.aborted) return;
        if (kicked) continue;
        wake = new AbortController();
        await clock.sleep(intervalMs, AbortSignal.any([stop.signal, wake.signal]));
      }
    };
    void loop();
    return () => {
      stop.abort();
      kickRef.current = () => undefined;
    };
  }, [clock, intervalMs]);

  return useCallback(() => kickRef.current(), []);
}
