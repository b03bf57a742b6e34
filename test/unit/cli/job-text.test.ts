import { describe, expect, it } from 'vitest';
import { fullTime, offsetText, shortTime, zonedTime } from '../../../src/cli/job-text.js';

// The one place times are written for people: an API time in the job's zone, UTC or local.

describe('zonedTime', () => {
  it("reads the job's wall time and offset from the API's text, fractions and odd offsets included", () => {
    expect(fullTime(zonedTime('2030-01-02T14:09:00.004-08:00', 'job', 'America/Los_Angeles')!)).toBe('2030-01-02 14:09:00 -08:00');
    expect(fullTime(zonedTime('2030-01-02T19:39:00+05:30', 'job', 'Asia/Kolkata')!)).toBe('2030-01-02 19:39:00 +05:30');
    expect(fullTime(zonedTime('2030-01-02T14:09:00Z', 'job', 'UTC')!)).toBe('2030-01-02 14:09:00 UTC');
    expect(fullTime(zonedTime('2030-01-02T14:09:00Z', 'job', 'Europe/London')!)).toBe('2030-01-02 14:09:00 +00:00');
  });

  it('converts to UTC whatever the offset', () => {
    expect(fullTime(zonedTime('2030-01-02T19:39:00+05:30', 'utc')!)).toBe('2030-01-02 14:09:00 UTC');
    expect(fullTime(zonedTime('2030-01-02T23:30:00-08:00', 'utc')!)).toBe('2030-01-03 07:30:00 UTC');
  });

  it('is undefined for text that is not a time', () => {
    expect(zonedTime('soon', 'job')).toBeUndefined();
  });

  it('writes offsets with their sign and minutes', () => {
    expect([offsetText(0), offsetText(-480), offsetText(330), offsetText(-570)]).toEqual(['+00:00', '-08:00', '+05:30', '-09:30']);
  });
});

describe('shortTime', () => {
  const now = Date.parse('2030-01-02T12:00:00Z');
  it('drops the date today, the year this year, in the zone of the time', () => {
    expect(shortTime(zonedTime('2030-01-02T14:09:05-08:00', 'job', 'America/Los_Angeles')!, now)).toBe('14:09:05 -08:00');
    expect(shortTime(zonedTime('2030-03-04T14:09:05-08:00', 'job', 'America/Los_Angeles')!, now)).toBe('Mar 04 14:09 -08:00');
    expect(shortTime(zonedTime('2031-03-04T14:09:05Z', 'job')!, now)).toBe('2031-03-04 14:09 UTC');
    // 12:00 UTC is already 21:00 on Jan 2 in Tokyo; 01:00 there on Jan 3 is another day.
    expect(shortTime(zonedTime('2030-01-03T01:00:00+09:00', 'job', 'Asia/Tokyo')!, now)).toBe('Jan 03 01:00 +09:00');
  });
});
