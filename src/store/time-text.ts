// Instants as the SQL stores take them, written fast: this is on the path of every delivery.

const MS_PER_DAY = 86_400_000;
/** '00'…'99': two digits without padStart or a number-to-string per field. */
const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));

/**
 * 'YYYY-MM-DD HH:MM:SS.mmm' in UTC: MySQL's DATETIME(3) text, and PostgreSQL's timestamptz with
 * a zone added. Written from the calendar date computed by integer arithmetic (Hinnant's
 * days-to-civil): this runs several times per delivered job, and `new Date(ms).toISOString()`
 * with its slices costs ~4× as much. Years outside 1000–9999 take the slow path (the stores'
 * range ends at 9999; below 1000 the year is padded).
 */
export function utcDateTimeText(ms: number): string {
  const days = Math.floor(ms / MS_PER_DAY);
  let rest = ms - days * MS_PER_DAY;
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  if (!Number.isInteger(ms) || year < 1000 || year > 9999) return isoSqlTime(ms);
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  const millis = rest - seconds * 1000;
  const milliText = millis < 10 ? `00${millis}` : millis < 100 ? `0${millis}` : String(millis);
  return `${year}-${TWO_DIGITS[month]}-${TWO_DIGITS[day]} ${TWO_DIGITS[hours]}:${TWO_DIGITS[minutes]}:${TWO_DIGITS[seconds]}.${milliText}`;
}

/** The same text through Date: any year (a bound check elsewhere keeps stored ones to 0–9999). */
function isoSqlTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  // 'YYYY-MM-DDTHH:MM:SS.mmmZ' for years 0000–9999; else as is.
  return iso.length === 24 ? `${iso.slice(0, 10)} ${iso.slice(11, 23)}` : iso.replace('T', ' ').replace('Z', '');
}

