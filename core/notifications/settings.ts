import { DateTime } from 'luxon';
import { z } from 'zod';
import type { EventType } from '../callbacks/events.ts';

export const frequencies = ['immediately', 'hourly', 'daily', 'never'] as const;
export type Frequency = (typeof frequencies)[number];

/** The two kinds of notification; each user sets a frequency for each. */
export const notificationKinds = ['newMessages', 'errors'] as const;
export type NotificationKind = (typeof notificationKinds)[number];

export const frequencySchema = z.strictObject({
  frequency: z.enum(frequencies),
  hour: z.number().int().min(0).max(23).optional()
    .describe('For a daily digest: the hour of the day (0-23) in the user\'s time zone.'),
}).refine((setting) => setting.frequency !== 'daily' || setting.hour !== undefined, {
  message: 'A daily digest needs an hour', path: ['hour'],
});

export type FrequencySetting = z.infer<typeof frequencySchema>;
export type NotificationSettings = Record<NotificationKind, FrequencySetting>;

export const defaultNotificationSettings: NotificationSettings = {
  newMessages: { frequency: 'hourly' },
  errors: { frequency: 'immediately' },
};

/** Which kind of notification an event is, if any. */
export function kindOf(type: EventType): NotificationKind | undefined {
  switch (type) {
    case 'message.received':
      return 'newMessages';
    case 'messaging.error':
      return 'errors';
    case 'message.status':
    case 'appointment.confirmed':
    case 'appointment.cancelled':
    case 'consent.changed':
    case 'credit.low':
      return undefined;
  }
}

/**
 * When a user hears of an event that happened at `at`: at once, at the start of the next
 * hour, or at the next occurrence of their daily hour in their time zone. Undefined: never.
 */
export function dueAt(setting: FrequencySetting, at: Date, timeZone: string): Date | undefined {
  const local = DateTime.fromJSDate(at, { zone: timeZone });
  switch (setting.frequency) {
    case 'immediately':
      return at;
    case 'hourly':
      return local.startOf('hour').plus({ hours: 1 }).toJSDate();
    case 'daily': {
      const today = local.set({ hour: setting.hour ?? 0, minute: 0, second: 0, millisecond: 0 });
      return (today > local ? today : today.plus({ days: 1 })).toJSDate();
    }
    case 'never':
      return undefined;
  }
}
