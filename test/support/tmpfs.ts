import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// A real small filesystem for fault tests (full disk, read-only): a tmpfs mounted on a fresh
// directory. Mounting needs root, which CI has; under CI=true a failed mount fails the test file
// instead of skipping it, elsewhere the tests that need it are skipped.

export interface Tmpfs {
  readonly dir: string;
  /** `mount -o remount,<options>`: e.g. `ro`, `rw`, `size=2m`. */
  remount(options: string): void;
  unmount(): void;
}

/** Mounts a tmpfs of `size` (`512k`, `1m`) on a new directory; undefined when not possible outside CI. */
export function mountTmpfs(size: string): Tmpfs | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'dalga-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0777`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    const reason = `cannot mount a ${size} tmpfs on ${dir} (this test needs root): ${String((err as { stderr?: unknown }).stderr ?? err).trim()}`;
    if (process.env['CI'] === 'true') throw new Error(reason);
    console.warn(`skipping: ${reason}`);
    return undefined;
  }
  return {
    dir,
    remount: (options) => execFileSync('mount', ['-o', `remount,${options}`, dir], { stdio: 'pipe' }),
    unmount: () => {
      execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
