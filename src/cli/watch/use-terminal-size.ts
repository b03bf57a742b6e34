// The terminal's size, following its resizes. Ink gives the width to the layout but not the
// height, which the view needs to know how many jobs fit (and so how many to fetch).

import { useStdout } from 'ink';
import { useEffect, useState } from 'react';

export interface TerminalSize {
  readonly columns: number;
  readonly rows: number;
}

/** What is read from the output stream: a TTY WriteStream, or a stand-in in tests. */
export interface SizeSource {
  readonly columns?: number;
  readonly rows?: number;
  on(event: 'resize', listener: () => void): unknown;
  off(event: 'resize', listener: () => void): unknown;
}

const FALLBACK: TerminalSize = { columns: 80, rows: 24 };

export function readSize(source: Partial<SizeSource>): TerminalSize {
  return { columns: source.columns || FALLBACK.columns, rows: source.rows || FALLBACK.rows };
}

/** Size of `source` (default: Ink's stdout), re-read on every 'resize' event. */
export function useTerminalSize(source?: SizeSource): TerminalSize {
  const { stdout } = useStdout();
  const stream: SizeSource = source ?? stdout;
  const [size, setSize] = useState(() => readSize(stream));
  useEffect(() => {
    const update = (): void => {
      const next = readSize(stream);
      setSize((prev) => (prev.columns === next.columns && prev.rows === next.rows ? prev : next));
    };
    update();
    stream.on('resize', update);
    return () => {
      stream.off('resize', update);
    };
  }, [stream]);
  return size;
}
