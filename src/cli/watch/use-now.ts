// The current time, re-read at every whole `tickMs` of the clock, so countdowns tick between
// fetches. Takes the clock so tests drive time by hand instead of sleeping.

import { useEffect, useState } from 'react';
import type { Clock } from '../../clock.js';

export function useNow(clock: Clock, tickMs = 1000): number {
  const [now, setNow] = useState(() => clock.now());
  useEffect(() => {
    const stop = new AbortController();
    const tick = async (): Promise<void> => {
      while (!stop.signal.aborted) {
        // Wake on the boundary, so every countdown on screen changes at the same moment.
        await clock.sleep(tickMs - (clock.now() % tickMs), stop.signal);
        if (stop.signal.aborted) return;
        setNow(clock.now());
      }
    };
    void tick();
    return () => stop.abort();
  }, [clock, tickMs]);
  return now;
}
