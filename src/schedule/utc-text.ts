// An instant's UTC calendar date and time as text, computed by integer arithmetic (Howard
// Hinnant's days-to-civil) instead of `new Date(ms).toISOString()` and its slices, which cost
// ~4× as much: times are written several times per delivery (the dalga-sched header, the
// store's parameters).

const MS_PER_DAY = 86_400_000;
/** '00'…'99': two digits without padStart or a number-to-string per field. */
const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));

/**
 * `YYYY-MM-DD<separator>HH:MM:SS.mmm` in UTC for years 0000–9999 (the range every store and RFC
 * 3339 can write), undefined for other years and for an instant that is not a whole number of ms.
 */
export function utcDateTime(ms: number, separator: ' ' | 'T'): string | undefined {
  if (!Number.isInteger(ms)) return undefined;
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
  if (year < 0 || year > 9999) return undefined;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  const millis = rest - seconds * 1000;
  const yearText = year >= 1000 ? String(year) : String(year).padStart(4, '0');
  const milliText = millis < 10 ? `00${millis}` : millis < 100 ? `0${millis}` : String(millis);
  return `${yearText}-${TWO_DIGITS[month]}-${TWO_DIGITS[day]}${separator}${TWO_DIGITS[hours]}:${TWO_DIGITS[minutes]}:${TWO_DIGITS[seconds]}.${milliText}`;
}
