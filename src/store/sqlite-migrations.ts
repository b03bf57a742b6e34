// The SQLite schema, as an append-only list of migrations (see migrations.ts for the rules).
// To change the schema, append a migration here — and to the other engines' lists.
import type Database from 'better-sqlite3';
import type { Migration } from './migrations.js';

/** What a SQLite migration runs on: the database, inside the runner's BEGIN IMMEDIATE. */
export interface SqliteMigrationDb {
  readonly db: Database.Database;
  /** The jobs table's name, checked by checkTableName (unquoted). */
  readonly table: string;
}

export const SQLITE_MIGRATIONS: readonly Migration<SqliteMigrationDb>[] = [
  {
    version: 1,
    // IF NOT EXISTS: a database made before the ledger already has exactly this.
    name: 'jobs and instances tables',
    up: async ({ db, table }) => {
      const t = `"${table}"`;
      const inst = `"${table}_instances"`;
      db.exec(`
        CREATE TABLE IF NOT EXISTS ${inst} (
          id         INTEGER PRIMARY KEY,
          updated_at INTEGER NOT NULL
        );
        CREATE TABLE IF NOT EXISTS ${t} (
          id          INTEGER PRIMARY KEY AUTOINCREMENT,
          path        TEXT    NOT NULL,
          body        TEXT    NOT NULL,
          "interval"  TEXT    NOT NULL,
          location    TEXT    NOT NULL,
          next_run    INTEGER NULL,
          next_sched  INTEGER NOT NULL,
          instance_id INTEGER NULL REFERENCES ${inst} (id) ON DELETE SET NULL,
          last_run    INTEGER NULL,
          last_status TEXT    NULL,
          failures    INTEGER NOT NULL DEFAULT 0,
          UNIQUE (path, body)
        );
        CREATE INDEX IF NOT EXISTS "${table}_claim" ON ${t} (instance_id, next_run);
        CREATE INDEX IF NOT EXISTS "${table}_next_run" ON ${t} (next_run, id);
        CREATE INDEX IF NOT EXISTS "${table}_next_sched" ON ${t} (next_sched, id);
        CREATE INDEX IF NOT EXISTS "${table}_path" ON ${t} (path, id);`);
    },
  },
  {
    version: 2,
    // Set by every claim; every outcome write is conditional on it (claim fencing).
    name: 'claim_token column',
    up: async ({ db, table }) => {
      db.exec(`ALTER TABLE "${table}" ADD COLUMN claim_token INTEGER NULL`);
    },
  },
  {
    version: 3,
    // Cron schedules, the misfire policy and run-now requests (README "Cron schedules", "Missed
    // runs", "Run now"). Defaults fit every existing row: an interval job, misfire once.
    name: 'cron, misfire, catchup and run_now columns',
    up: async ({ db, table }) => {
      const t = `"${table}"`;
      db.exec(`
        ALTER TABLE ${t} ADD COLUMN cron TEXT NULL;
        ALTER TABLE ${t} ADD COLUMN misfire TEXT NOT NULL DEFAULT 'once';
        ALTER TABLE ${t} ADD COLUMN catchup TEXT NOT NULL DEFAULT 'PT1H';
        ALTER TABLE ${t} ADD COLUMN run_now INTEGER NULL;
        CREATE INDEX "${table}_run_now" ON ${t} (run_now);`);
    },
  },
  {
    version: 4,
    // PUT /pause: one row while every instance's deliveries are paused (README "Pausing everything").
    name: 'pause table',
    up: async ({ db, table }) => {
      db.exec(`
        CREATE TABLE IF NOT EXISTS "${table}_pause" (
          id        INTEGER PRIMARY KEY CHECK (id = 1),
          paused_at INTEGER NOT NULL
        )`);
    },
  },
  {
    version: 5,
    // Fixed intervals count occurrences from it, keeping the phase across DST (README "Fixed
    // intervals and DST"). NULL, as in every existing row: counted from next_sched as before.
    name: 'sched_anchor column',
    up: async ({ db, table }) => {
      db.exec(`ALTER TABLE "${table}" ADD COLUMN sched_anchor INTEGER NULL`);
    },
  },
  {
    version: 6,
    // Run history (README "Run history"): one row per delivery attempt, trimmed by count and age.
    name: 'runs table',
    up: async ({ db, table }) => {
      const runs = `"${table}_runs"`;
      db.exec(`
        CREATE TABLE IF NOT EXISTS ${runs} (
          id          INTEGER PRIMARY KEY AUTOINCREMENT,
          path        TEXT    NOT NULL,
          body        TEXT    NOT NULL,
          sched       INTEGER NOT NULL,
          started_at  INTEGER NOT NULL,
          duration_ms INTEGER NOT NULL,
          status      TEXT    NOT NULL,
          outcome     TEXT    NOT NULL,
          attempt     INTEGER NOT NULL,
          instance_id INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS "${table}_runs_job" ON ${runs} (path, body, id);
        CREATE INDEX IF NOT EXISTS "${table}_runs_at" ON ${runs} (started_at);`);
    },
  },
];
