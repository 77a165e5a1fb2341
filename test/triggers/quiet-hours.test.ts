import { describe, expect, it } from 'vitest';
import { isQuiet, lastCallBefore, nextOpening } from '../../core/scheduling/quiet-hours.ts';
import { atLocalTime, fitToWindow } from '../../core/scheduling/send-time.ts';

const zone = 'America/New_York';
const daytime = { start: '08:00', end: '21:00' };
const local = (date: string, time: string) => atLocalTime(date, time, zone);

function fit(sendAt: Date, options: { latestAt?: Date; now?: Date; channel?: string } = {}) {
  return fitToWindow({
    sendAt, latestAt: options.latestAt, channel: options.channel ?? 'sms',
    now: options.now ?? local('2030-03-01', '12:00'), window: daytime, zone,
  });
}

describe('quiet hours', () => {
  it('are the hours outside the window, in the recipient time zone', () => {
    expect(isQuiet(local('2030-03-07', '07:59'), daytime, zone)).toBe(true);
    expect(isQuiet(local('2030-03-07', '08:00'), daytime, zone)).toBe(false);
    expect(isQuiet(local('2030-03-07', '20:59'), daytime, zone)).toBe(false);
    expect(isQuiet(local('2030-03-07', '21:00'), daytime, zone)).toBe(true);
    const evening = local('2030-03-07', '21:30');
    expect(isQuiet(evening, daytime, 'America/Los_Angeles')).toBe(false);
  });

  it('may run past midnight, and vanish when start and end are equal', () => {
    const night = { start: '22:00', end: '06:00' };
    expect(isQuiet(local('2030-03-07', '23:00'), night, zone)).toBe(false);
    expect(isQuiet(local('2030-03-07', '12:00'), night, zone)).toBe(true);
    expect(nextOpening(local('2030-03-07', '12:00'), night, zone))
      .toEqual(local('2030-03-07', '22:00'));
    const always = { start: '00:00', end: '00:00' };
    expect(isQuiet(local('2030-03-07', '03:00'), always, zone)).toBe(false);
  });

  it('end at the next opening and begin just before the window closes', () => {
    const early = local('2030-03-07', '06:30');
    expect(nextOpening(early, daytime, zone)).toEqual(local('2030-03-07', '08:00'));
    expect(lastCallBefore(early, daytime, zone)).toEqual(local('2030-03-06', '20:55'));

    const late = local('2030-03-07', '22:15');
    expect(nextOpening(late, daytime, zone)).toEqual(local('2030-03-08', '08:00'));
    expect(lastCallBefore(late, daytime, zone)).toEqual(local('2030-03-07', '20:55'));
  });

  it('keep local opening hours across a daylight-saving change', () => {
    // Clocks in New York go forward at 02:00 on 10 March 2030.
    const opening = nextOpening(local('2030-03-10', '03:30'), daytime, zone);
    expect(opening.toISOString()).toBe('2030-03-10T12:00:00.000Z');
    expect(lastCallBefore(local('2030-03-10', '03:30'), daytime, zone)!.toISOString())
      .toBe('2030-03-10T01:55:00.000Z');
  });
});

describe('fitting a planned message around quiet hours', () => {
  it('leaves email and eFax alone', () => {
    const night = local('2030-03-07', '03:00');
    expect(fit(night, { channel: 'email' })).toEqual({ sendAt: night });
    expect(fit(night, { channel: 'efax' })).toEqual({ sendAt: night });
  });

  it('lets a notice wait for the window to open', () => {
    expect(fit(local('2030-03-06', '22:30'))).toEqual({ sendAt: local('2030-03-07', '08:00') });
  });

  it('moves a reminder to the evening before when the morning leaves too little lead', () => {
    const start = local('2030-03-07', '08:30');
    const latestAt = new Date(start.getTime() - 3_600_000);
    expect(fit(local('2030-03-07', '06:30'), { latestAt }))
      .toEqual({ sendAt: local('2030-03-06', '20:55') });
  });

  it('moves a reminder to the nearer side when both leave the lead', () => {
    const morning = { latestAt: local('2030-03-07', '10:30') };
    expect(fit(local('2030-03-07', '07:30'), morning))
      .toEqual({ sendAt: local('2030-03-07', '08:00') });

    const evening = { latestAt: local('2030-03-08', '21:00') };
    expect(fit(local('2030-03-07', '22:00'), evening))
      .toEqual({ sendAt: local('2030-03-07', '20:55') });
  });

  it('skips a reminder when the evening before has passed and the morning is too late', () => {
    const timing = fit(local('2030-03-07', '06:30'), {
      latestAt: local('2030-03-07', '07:30'), now: local('2030-03-06', '22:00'),
    });
    expect(timing).toEqual({ skipped: 'quiet_hours' });
  });
});
