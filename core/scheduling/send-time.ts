import { DateTime } from 'luxon';
import { isQuiet, lastCallBefore, nextOpening, quietChannels } from './quiet-hours.ts';
import type { SendingWindow } from './quiet-hours.ts';

export interface PlannedTiming {
  /** When the trigger wants the message sent. */
  sendAt: Date;
  /** For a reminder: the latest moment still worth sending it. */
  latestAt?: Date;
  channel: string;
  now: Date;
  window: SendingWindow;
  /** The recipient's time zone. */
  zone: string;
}

export type Timing = { sendAt: Date } | { skipped: 'quiet_hours' };

/**
 * Keeps a planned sms or voice message out of the recipient's quiet hours.
 *
 * A message without `latestAt` (a notice) waits for the window to open. A reminder moves to
 * the nearest allowed moment that still comes before its `latestAt`: the next opening, or the
 * last call before the quiet hours began (never in the past); the later one on a tie. With
 * neither, it is skipped: a reminder that cannot leave the client time to act is not sent.
 */
export function fitToWindow(planned: PlannedTiming): Timing {
  const { sendAt, latestAt, channel, now, window, zone } = planned;
  if (!quietChannels.has(channel) || !isQuiet(sendAt, window, zone)) return { sendAt };

  const later = nextOpening(sendAt, window, zone);
  if (!latestAt) return { sendAt: later };

  const earlier = lastCallBefore(sendAt, window, zone);
  const candidates = [
    later <= latestAt ? later : undefined,
    earlier && earlier >= now ? earlier : undefined,
  ].filter((moment): moment is Date => moment !== undefined);
  if (candidates.length === 0) return { skipped: 'quiet_hours' };

  const distance = (moment: Date) => Math.abs(moment.getTime() - sendAt.getTime());
  const nearest = candidates.reduce((best, moment) =>
    (distance(moment) < distance(best) ? moment : best));
  return { sendAt: nearest };
}

/** A wall-clock time on a local date in `zone`: a billing reminder at 10:00 the client's time. */
export function atLocalTime(date: string, time: string, zone: string): Date {
  return DateTime.fromISO(`${date}T${time}`, { zone }).toJSDate();
}

/** The local calendar date (`YYYY-MM-DD`) of `moment` in `zone`, moved by `days`. */
export function localDate(moment: Date, zone: string, days = 0): string {
  return DateTime.fromJSDate(moment, { zone }).plus({ days }).toISODate()!;
}

/** A calendar date (`YYYY-MM-DD`) moved by `days`. */
export function addDays(date: string, days: number): string {
  return DateTime.fromISO(date, { zone: 'UTC' }).plus({ days }).toISODate()!;
}
