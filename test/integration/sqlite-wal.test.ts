import Database from 'better-sqlite3';
import { statSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { createTempDir } from '../support/temp-sqlite.js';

// The SQLite WAL stays bounded (issue 18 item 8): a WAL that grew while a reader held an old
// snapshot is cut back to the limit once a checkpoint empties it, instead of staying at its
// largest size until a restart.
const temp = createTempDir();
afterAll(() => temp.remove());

const LIMIT = 256 * 1024;

describe('the SQLite WAL', () => {
  it('grows while a reader holds a snapshot, and is cut back under journal_size_limit afterwards', async () => {
    const path = temp.file();
    const store = await openSqliteStore({ path, table: 'dalga', walSizeLimitBytes: LIMIT });
    await store.createTables();
    const reader = new Database(path, { readonly: true });
    reader.exec('BEGIN');
    reader.prepare('SELECT COUNT(*) FROM dalga').get(); // the snapshot: checkpoints cannot restart the WAL past it
    const body = 'b'.repeat(200);
    for (let i = 0; i < 3000; i++) await store.putJob({ path: `p${i}`, body, interval: 'PT1M', location: '', nextRun: i, nextSched: i });
    const grown = statSync(`${path}-wal`).size;
    expect(grown).toBeGreaterThan(4 * LIMIT);
    reader.exec('COMMIT');
    reader.close();
    // Writes go on: the next checkpoint empties the WAL and the next write starts it over, cut back.
    for (let i = 0; i < 300; i++) await store.putJob({ path: `q${i}`, body, interval: 'PT1M', location: '', nextRun: i, nextSched: i });
    expect(statSync(`${path}-wal`).size).toBeLessThanOrEqual(LIMIT + 1001 * 4096);
    await store.close();
  });
});
