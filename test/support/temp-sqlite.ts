import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A temporary directory for SQLite files; `remove()` deletes it with everything in it. */
export function createTempDir(prefix = 'dalga-sqlite-'): { dir: string; file(name?: string): string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  let n = 0;
  return {
    dir,
    file: (name) => join(dir, name ?? `store-${++n}.sqlite`),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
