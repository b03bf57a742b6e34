import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { PRAGMAS } from '../../../src/store/sqlite-queries.js';

describe('the SQLite store\'s connection settings', () => {
  it("bound the page cache at SQLite's default 2 MB, not the 16 MB better-sqlite3 builds in", () => {
    const dir = mkdtempSync(join(tmpdir(), 'dalga-pragmas-'));
    const db = new Database(join(dir, 'x.sqlite'));
    try {
      expect(db.pragma('cache_size', { simple: true })).toBe(-16000);
      for (const pragma of PRAGMAS) db.pragma(pragma);
      expect(db.pragma('cache_size', { simple: true })).toBe(-2000);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
