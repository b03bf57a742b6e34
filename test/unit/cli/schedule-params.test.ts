import { describe, expect, it } from 'vitest';
import { scheduleParams } from '../../../src/cli/commands/schedule.js';
import { UsageError } from '../../../src/errors.js';

const NOW = Date.parse('2026-11-28T09:00:00Z');

describe('scheduleParams', () => {
  it('sends every interval spelling as ISO 8601, un-normalised', async () => {
    expect(await scheduleParams({ interval: '60' }, NOW)).toEqual({ interval: 'PT60S' });
    expect(await scheduleParams({ interval: 'P1D' }, NOW)).toEqual({ interval: 'P1D' });
    expect(await scheduleParams({ interval: '1h30m' }, NOW)).toEqual({ interval: 'PT1H30M' });
    expect(await scheduleParams({ interval: '90s' }, NOW)).toEqual({ interval: 'PT90S' });
  });

  it('turns a relative first run into RFC 3339 from now', async () => {
    expect(await scheduleParams({ oneOff: true, firstRun: '+10m' }, NOW)).toEqual({ oneOff: true, firstRun: '2026-11-28T09:10:00.000Z' });
    expect(await scheduleParams({ interval: '60', firstRun: '+1h30m' }, NOW)).toMatchObject({ firstRun: '2026-11-28T10:30:00.000Z' });
  });

  it('passes an RFC 3339 first run through as written', async () => {
    const params = await scheduleParams({ interval: 'P1D', firstRun: '2030-01-02T06:00:00+03:00', location: 'Europe/Istanbul' }, NOW);
    expect(params).toEqual({ interval: 'P1D', firstRun: '2030-01-02T06:00:00+03:00', location: 'Europe/Istanbul' });
  });

  it('accepts a time with an offset but without seconds, as it does one without an offset', async () => {
    expect((await scheduleParams({ oneOff: true, firstRun: '2030-07-01T14:09Z' }, NOW)).firstRun).toBe('2030-07-01T14:09:00Z');
    const warnings: string[] = [];
    const params = await scheduleParams({ interval: 'P1D', firstRun: '2030-07-02T14:09-08:00', location: 'America/Los_Angeles' }, NOW, (w) => warnings.push(w));
    expect(params.firstRun).toBe('2030-07-02T14:09:00-08:00');
    expect(warnings).toEqual([expect.stringMatching(/^--first-run 2030-07-02T14:09:00-08:00 is 15:09 in America\/Los_Angeles/)]);
  });

  it("reads a first run without offset in --location's zone, and sends it with the zone's offset", async () => {
    const winter = await scheduleParams({ interval: 'P1D', firstRun: '2030-01-02T14:09', location: 'America/Los_Angeles' }, NOW);
    expect(winter.firstRun).toBe('2030-01-02T14:09:00-08:00');
    const summer = await scheduleParams({ interval: 'P1D', firstRun: '2030-07-02 14:09:00', location: 'America/Los_Angeles' }, NOW);
    expect(summer.firstRun).toBe('2030-07-02T14:09:00-07:00');
    expect((await scheduleParams({ interval: '60', firstRun: '2030-01-02T06:00' }, NOW)).firstRun).toBe('2030-01-02T06:00:00Z');
  });

  it('refuses a wall time the clocks skip, and warns about one that happens twice', async () => {
    await expect(scheduleParams({ interval: 'P1D', firstRun: '2030-03-10T02:30', location: 'America/Los_Angeles' }, NOW)).rejects.toThrow(
      /does not exist in America\/Los_Angeles: the clocks skip it/,
    );
    const warnings: string[] = [];
    const params = await scheduleParams({ interval: 'P1D', firstRun: '2030-11-03T01:30', location: 'America/Los_Angeles' }, NOW, (w) => warnings.push(w));
    expect(params.firstRun).toBe('2030-11-03T01:30:00-07:00');
    expect(warnings).toEqual([expect.stringMatching(/happens twice in America\/Los_Angeles .*using the first, -07:00 — add -08:00 to mean the second/)]);
  });

  it("warns when the given offset is not the zone's offset on that date (-08:00 copied to a summer date)", async () => {
    const warnings: string[] = [];
    const params = await scheduleParams({ interval: 'P1D', firstRun: '2030-07-02T14:09:00-08:00', location: 'America/Los_Angeles' }, NOW, (w) => warnings.push(w));
    // Sent as written: the offset names an instant, and the warning says which.
    expect(params.firstRun).toBe('2030-07-02T14:09:00-08:00');
    expect(warnings).toEqual([
      '--first-run 2030-07-02T14:09:00-08:00 is 15:09 in America/Los_Angeles, whose offset on that date is -07:00, not -08:00 — the job runs at 15:09 there; for 14:09 leave the offset out',
    ]);
    const quiet: string[] = [];
    await scheduleParams({ interval: 'P1D', firstRun: '2030-01-02T14:09:00-08:00', location: 'America/Los_Angeles' }, NOW, (w) => quiet.push(w));
    await scheduleParams({ interval: 'P1D', firstRun: '2030-07-02T21:09:00Z', location: 'America/Los_Angeles' }, NOW, (w) => quiet.push(w));
    await scheduleParams({ interval: 'P1D', firstRun: '2030-07-02T14:09:00-08:00' }, NOW, (w) => quiet.push(w));
    expect(quiet).toEqual([]);
  });

  it('accepts each valid combination of the server', async () => {
    await expect(scheduleParams({ oneOff: true, immediate: true }, NOW)).resolves.toEqual({ oneOff: true, immediate: true });
    await expect(scheduleParams({ oneOff: true, interval: '5' }, NOW)).resolves.toEqual({ oneOff: true, interval: 'PT5S' });
    await expect(scheduleParams({ immediate: true, interval: '5' }, NOW)).resolves.toEqual({ immediate: true, interval: 'PT5S' });
  });

  it.each([
    [{}, /invalid combination: a periodic job needs an interval/],
    [{ oneOff: true }, /invalid combination: a one-off job needs exactly one of interval and first-run/],
    [{ oneOff: true, interval: '5', firstRun: '+1m' }, /exactly one of/],
    [{ oneOff: true, immediate: true, interval: '5' }, /neither interval nor first-run/],
    [{ immediate: true, interval: '5', firstRun: '+1m' }, /an immediate job takes no first-run/],
  ])('refuses %o before any request', async (flags, message) => {
    const attempt = scheduleParams(flags, NOW);
    await expect(attempt).rejects.toBeInstanceOf(UsageError);
    await expect(attempt).rejects.toThrow(message);
  });

  it.each([
    [{ interval: '-5' }, /invalid --interval "-5": an interval cannot be negative/],
    [{ interval: '-5s' }, /cannot be negative/],
    [{ interval: '0' }, /invalid --interval "0"/],
    [{ interval: '1.5s' }, /invalid --interval "1.5s"/],
    [{ interval: 'soon' }, /invalid --interval "soon"/],
    [{ interval: '60', firstRun: 'tomorrow' }, /invalid --first-run "tomorrow"/],
    [{ interval: '60', firstRun: '2030-02-30T06:00' }, /invalid --first-run "2030-02-30T06:00" — no such date or time/],
    [{ interval: '60', firstRun: '2030-01-02' }, /invalid --first-run "2030-01-02" — give a time such as 2030-01-02T15:04:05/],
    [{ interval: '60', firstRun: '2030-01-02T06:00', location: 'Mars/Olympus' }, /unknown time zone "Mars\/Olympus"/],
    [{ interval: '60', firstRun: '+-5m' }, /cannot be negative/],
    [{ interval: '60', firstRun: '+5 parsecs' }, /invalid --first-run "\+5 parsecs"/],
    [{ interval: '60', location: 'Mars/Olympus' }, /unknown time zone "Mars\/Olympus"/],
    [{ interval: '60', location: 'europe/istanbul' }, /unknown time zone/],
  ])('refuses bad values %o with a hint', async (flags, message) => {
    const attempt = scheduleParams(flags, NOW);
    await expect(attempt).rejects.toBeInstanceOf(UsageError);
    await expect(attempt).rejects.toThrow(message);
  });
});
