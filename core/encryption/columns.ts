import { customType } from 'drizzle-orm/pg-core';
import type { Keyring } from './keyring.ts';

/**
 * The keyring the encrypted columns use. Columns are declared once for the whole process,
 * before any hub starts, so they reach the keyring here rather than through the services;
 * the hub installs it at start, and every hub in one process must use the same keys.
 */
let installed: Keyring | undefined;

export function installKeyring(keyring: Keyring): void {
  installed = keyring;
}

function keyring(): Keyring {
  if (!installed) throw new Error('No encryption keyring is installed; start the hub first');
  return installed;
}

/** Keys derived from the installed keyring for another purpose; see `Keyring.deriveKeys`. */
export function derivedKeys(purpose: string): Buffer[] {
  return keyring().deriveKeys(purpose);
}

/** Text stored encrypted (patient names, addresses). */
export const encryptedText = customType<{ data: string; driverData: string }>({
  dataType: () => 'text',
  toDriver: (value) => keyring().encrypt(Buffer.from(value, 'utf8')),
  fromDriver: (value) => keyring().decrypt(value).toString('utf8'),
});

/** A JSON value stored encrypted (message content, template data, subject state). */
export const encryptedJson = <T>(name: string) => customType<{ data: T; driverData: string }>({
  dataType: () => 'text',
  toDriver: (value) => keyring().encrypt(Buffer.from(JSON.stringify(value), 'utf8')),
  fromDriver: (value) => JSON.parse(keyring().decrypt(value).toString('utf8')) as T,
})(name);

/** Bytes stored encrypted (attachments), as the text of their sealed form. */
export const encryptedBytes = customType<{ data: Buffer; driverData: string }>({
  dataType: () => 'text',
  toDriver: (value) => keyring().encrypt(value),
  fromDriver: (value) => keyring().decrypt(value),
});

/** The keyed hash of an address, stored beside its encrypted form for look-ups. */
export function addressHash(value: string): string {
  return keyring().hash(value);
}

/** The hashes an address may be stored under, for look-ups during a key rotation. */
export function addressHashes(value: string): string[] {
  return keyring().hashes(value);
}
