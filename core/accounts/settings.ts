import { z } from 'zod';

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Expected a time as HH:MM');

/** True for a time zone name the runtime knows, such as `America/Chicago`. */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

export const timeZoneSchema = z.string().max(64).refine(isTimeZone, 'Unknown IANA time zone');

/** What each account may set for itself; new accounts start from the config's defaults. */
export const accountSettingsSchema = z.strictObject({
  messagingEnabled: z.boolean().describe('Whether the account sends anything at all.'),
  optInRequired: z.boolean().describe('Whether recipients must opt in before messages go out.'),
  timeZone: timeZoneSchema.describe('The practice time zone, for recipients without their own.'),
  language: z.string().min(2).max(12).describe('The language of recipients without their own.'),
  quietHours: z.strictObject({ start: clockTime, end: clockTime })
    .describe('When sms and voice may not reach a recipient, in their local time.'),
  practiceName: z.string().max(200).describe('Shown in messages and help replies.'),
  practicePhone: z.string().max(40).describe('Shown in messages and help replies.'),
  senders: z.record(z.string(), z.string().max(320))
    .describe('The sender per channel: a phone number, an email address, a fax number.'),
});

export type AccountSettings = z.infer<typeof accountSettingsSchema>;

export const accountSettingsPatchSchema = accountSettingsSchema.partial();

export type AccountSettingsPatch = z.infer<typeof accountSettingsPatchSchema>;

/** An account's own settings laid over the defaults; nested objects are replaced whole. */
export function resolveSettings(
  defaults: AccountSettings,
  own: AccountSettingsPatch,
): AccountSettings {
  return { ...defaults, ...own, senders: { ...defaults.senders, ...own.senders } };
}
