// The one migration runner (src/store/migrations.ts), on an in-memory target: what runs, in
// which order, under the lock or not, and when it refuses.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { runMigrations, type Migration, type MigrationTarget } from '../../../src/store/migrations.js';

function memoryTarget(ledger: number[] | null): MigrationTarget<string[]> & { ran: string[]; locks: number; ledger: number[] | null } {
  const ran: string[] = [];
  const target = {
    describe: 'table t in memory',
    ran,
    locks: 0,
    ledger,
    readVersions: async () => (target.ledger === null ? null : [...target.ledger]),
    withLock: async <T>(fn: (db: string[]) => Promise<T>): Promise<T> => {
      target.locks++;
      return fn(ran);
    },
    lockedVersions: async () => (target.ledger ??= []),
    record: async (_db: string[], m: Migration<string[]>) => {
      target.ledger!.push(m.version);
    },
  };
  return target;
}

const list = (n: number): Migration<string[]>[] =>
  Array.from({ length: n }, (_, i) => ({ version: i + 1, name: `m${i + 1}`, up: async (db: string[]) => void db.push(`m${i + 1}`) }));

describe('runMigrations', () => {
  it('runs every migration in order on a table without a ledger, under the lock, recording each', async () => {
    const target = memoryTarget(null);
    expect((await runMigrations(target, list(3))).map((m) => m.version)).toEqual([1, 2, 3]);
    expect(target.ran).toEqual(['m1', 'm2', 'm3']);
    expect(target.ledger).toEqual([1, 2, 3]);
    expect(target.locks).toBe(1);
  });

  it('runs only the missing ones', async () => {
    const target = memoryTarget([1, 2]);
    await runMigrations(target, list(4));
    expect(target.ran).toEqual(['m3', 'm4']);
  });

  it('takes no lock when nothing is missing (a user without DDL privileges can serve)', async () => {
    const target = memoryTarget([1, 2, 3]);
    expect(await runMigrations(target, list(3))).toEqual([]);
    expect(target.locks).toBe(0);
  });

  it('refuses a ledger with a version this build does not know, in one line', async () => {
    const target = memoryTarget([1, 2, 3, 4]);
    const err = await runMigrations(target, list(3)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toBe(
      'table t in memory was migrated by a newer dalga (schema version 4; this build knows up to 3) — run that newer dalga, or point this one at another table',
    );
    expect(target.ran).toEqual([]);
  });

  it('refuses a ledger whose jobs table was dropped by hand, naming what to drop to start afresh', async () => {
    const target = { ...memoryTarget([1, 2, 3]), dropped: { ledger: 't_migrations', others: ['t_instances', 't_runs'], jobsTableMissing: async () => true } };
    const err = await runMigrations(target, list(3)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toBe(
      'table t in memory is missing, but its ledger t_migrations says schema version 3 — restore it, or drop t_migrations, t_instances and t_runs to start afresh',
    );
    const intact = { ...memoryTarget([1, 2, 3]), dropped: { ledger: 't_migrations', others: [], jobsTableMissing: async () => false } };
    expect(await runMigrations(intact, list(3))).toEqual([]);
  });

  it('does not record a migration that failed, and stops there', async () => {
    const target = memoryTarget([1]);
    const failing = list(3).map((m) => (m.version === 2 ? { ...m, up: async () => Promise.reject(new Error('disk full')) } : m));
    await expect(runMigrations(target, failing)).rejects.toThrow('disk full');
    expect(target.ledger).toEqual([1]);
    expect(target.ran).toEqual([]);
  });

  it('rejects a list that is not numbered 1, 2, 3… (a programming error)', async () => {
    const broken = [list(2)[1]!];
    await expect(runMigrations(memoryTarget(null), broken)).rejects.toThrow(/out of order/);
  });
});
