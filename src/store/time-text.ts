// Instants as the SQL stores take them: on the path of every delivery, so written without Date.
import { utcDateTime } from '../schedule/utc-text.js';

/**
 * 'YYYY-MM-DD HH:MM:SS.mmm' in UTC: MySQL's DATETIME(3) text, and PostgreSQL's timestamptz with
 * a zone added. Other years (past the stores' range; refused before they get here) through Date.
 */
export function utcDateTimeText(ms: number): string {
  return utcDateTime(ms, ' ') ?? isoSqlTime(ms);
}

function isoSqlTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}
