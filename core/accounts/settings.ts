import type { z } from 'zod';
import { accountSettingsSchema, type AccountSettings } from '../config/account-settings.ts';

export { accountSettingsSchema, type AccountSettings };
export { isTimeZone, timeZoneSchema } from '../config/account-settings.ts';

export const accountSettingsPatchSchema = accountSettingsSchema.partial();

export type AccountSettingsPatch = z.infer<typeof accountSettingsPatchSchema>;

/** An account's own settings laid over the defaults; nested objects are replaced whole. */
export function resolveSettings(
  defaults: AccountSettings,
  own: AccountSettingsPatch,
): AccountSettings {
  return { ...defaults, ...own, senders: { ...defaults.senders, ...own.senders } };
}
