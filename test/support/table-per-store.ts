// The set-up of a store test file on a database server (MariaDB, PostgreSQL): one database for
// the file, created before its tests and dropped after them unless a test failed (kept for a
// look); each store gets its own table, so a peer opened on the same table shares it.
import { afterAll, beforeAll, beforeEach, onTestFailed } from 'vitest';
import type { Store } from '../../src/store/store.js';

export interface TablePerStore<Db, Options> {
  /** The file's database (valid from beforeAll on). */
  readonly db: Db;
  /** A store on the file's database with these options (no tables created). */
  open(extra?: Partial<Options>): Promise<Store>;
  /** A store on a table of its own (t1, t2…), its tables created. */
  make(extra?: Partial<Options>): Promise<Store>;
  /** The table a store of `make` uses. */
  tableOf(store: Store): string;
  /** A table name no store of this file has used. */
  newTable(): string;
}

export function tablePerStore<Options extends { table: string }, Db extends { options: Options; drop(): Promise<void> }>(
  createDb: () => Promise<Db>,
  openStore: (options: Options) => Promise<Store>,
): TablePerStore<Db, Options> {
  let db: Db | undefined;
  let failed = false;
  let n = 0;
  const tables = new WeakMap<Store, string>();
  beforeAll(async () => {
    db = await createDb();
  });
  afterAll(async () => {
    if (!failed) await db?.drop();
  });
  beforeEach(() => {
    onTestFailed(() => {
      failed = true;
    });
  });
  const open = (extra: Partial<Options> = {}): Promise<Store> => openStore({ ...db!.options, ...extra });
  const newTable = (): string => `t${++n}`;
  return {
    get db(): Db {
      return db!;
    },
    open,
    newTable,
    async make(extra: Partial<Options> = {}): Promise<Store> {
      const table = newTable();
      const store = await open({ table, ...extra } as Partial<Options>);
      await store.createTables();
      tables.set(store, table);
      return store;
    },
    tableOf: (store) => tables.get(store)!,
  };
}
