import { DateTime } from 'luxon';

/**
 * The daily window in which sms and voice messages may go out, as `HH:MM` in the recipient's
 * local time; outside it are the quiet hours. A window may run past midnight (`22:00`–`06:00`);
 * equal start and end mean no quiet hours at all.
 */
export interface SendingWindow {
  start: string;
  end: string;
}

/**
 * Texts and calls reach a person's phone the moment they are sent, so the TCPA limits them to
 * daytime; email and eFax wait in an inbox and are not limited.
 */
export const quietChannels: ReadonlySet<string> = new Set(['sms', 'voice']);

/**
 * How long before the window closes a message moved ahead of quiet hours is sent: sending at
 * the last minute would risk crossing the close while the queue and the provider's rate
 * limit get to it.
 */
export const closingMargin = 5 * 60_000;

/** Whether `moment` falls in the recipient's quiet hours. */
export function isQuiet(moment: Date, window: SendingWindow, zone: string): boolean {
  const open = minuteOfDay(window.start);
  const close = minuteOfDay(window.end);
  if (open === close) return false;

  const local = DateTime.fromJSDate(moment, { zone });
  const now = local.hour * 60 + local.minute + (local.second + local.millisecond / 1000) / 60;
  return open < close ? now < open || now >= close : now >= close && now < open;
}

/** The moment the window next opens after `moment`, which lies in quiet hours. */
export function nextOpening(moment: Date, window: SendingWindow, zone: string): Date {
  const local = DateTime.fromJSDate(moment, { zone });
  const today = atClockTime(local, window.start);
  const opening = today > local ? today : atClockTime(local.plus({ days: 1 }), window.start);
  return opening.toJSDate();
}

/**
 * The last moment to send ahead of the quiet hours that `moment` lies in: just before the
 * window closed. Undefined when the window is too short to leave the closing margin.
 */
export function lastCallBefore(
  moment: Date,
  window: SendingWindow,
  zone: string,
): Date | undefined {
  const local = DateTime.fromJSDate(moment, { zone });
  const today = atClockTime(local, window.end);
  const close = today <= local ? today : atClockTime(local.minus({ days: 1 }), window.end);

  const lastCall = close.minus({ milliseconds: closingMargin }).toJSDate();
  return isQuiet(lastCall, window, zone) ? undefined : lastCall;
}

function minuteOfDay(clock: string): number {
  const [hour, minute] = clock.split(':').map(Number);
  return hour * 60 + minute;
}

/** A time of day on the local date of `day`; in a daylight-saving gap Luxon moves it forward. */
function atClockTime(day: DateTime, clock: string): DateTime {
  const [hour, minute] = clock.split(':').map(Number);
  return day.set({ hour, minute, second: 0, millisecond: 0 });
}
