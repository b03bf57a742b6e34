import { describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../../src/errors.js';
import { sqliteFailure } from '../../../src/store/sqlite.js';

const sqliteError = (code: string, message = 'boom'): Error => Object.assign(new Error(message), { code });

describe('sqliteFailure', () => {
  it('makes the store unavailable when the file or the disk fails', () => {
    for (const code of ['SQLITE_IOERR_WRITE', 'SQLITE_CORRUPT', 'SQLITE_NOTADB', 'SQLITE_BUSY']) {
      expect(sqliteFailure(sqliteError(code), '/nonexistent/dalga.sqlite'), code).toBeInstanceOf(StoreUnavailableError);
    }
  });

  it('leaves a statement the database refuses to the caller: it is about that row, not the store', () => {
    for (const code of ['SQLITE_CONSTRAINT_TRIGGER', 'SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_MISMATCH', 'SQLITE_TOOBIG', 'SQLITE_ERROR']) {
      expect(sqliteFailure(sqliteError(code, 'poisoned row'), '/nonexistent/dalga.sqlite'), code).toBeUndefined();
    }
  });
});
