import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { z } from 'zod';
import type { AddressCheck } from '../plugins/channel.ts';

/**
 * Normalises a phone or fax number to E.164. Numbers without a country code are read as US
 * numbers, the hub's home market.
 */
export function normalizePhone(raw: string): AddressCheck {
  const parsed = parsePhoneNumberFromString(raw.trim(), 'US');
  if (!parsed || !parsed.isValid()) {
    return { ok: false, message: 'Not a valid phone number; use E.164, such as +12025550123' };
  }
  return { ok: true, address: parsed.number };
}

const emailSchema = z.email();

export function normalizeEmail(raw: string): AddressCheck {
  const address = raw.trim().toLowerCase();
  if (address.length > 254 || !emailSchema.safeParse(address).success) {
    return { ok: false, message: 'Not a valid email address' };
  }
  return { ok: true, address };
}
