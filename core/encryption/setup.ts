import type { Database } from '../db/client.ts';
import { StartupError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { loadOrCreateSecret } from '../secret-file.ts';
import { installKeyring } from './columns.ts';
import { generateKeyText, Keyring, parseKey } from './keyring.ts';
import { encryptionKeys } from './tables.ts';

export interface EncryptionSettings {
  encryptionKey?: string;
  previousEncryptionKeys: string[];
}

/**
 * Builds the keyring from the config, or from a key generated into the data folder when the
 * config has none, and installs it for the encrypted columns.
 */
export async function setUpEncryption(
  settings: EncryptionSettings,
  generatedKeyFile: string,
  log: Logger,
): Promise<Keyring> {
  const current = await currentKeyText(settings, generatedKeyFile, log);
  try {
    const keyring = new Keyring(parseKey(current), settings.previousEncryptionKeys.map(parseKey));
    installKeyring(keyring);
    return keyring;
  } catch (error) {
    throw new StartupError('The encryption keys are not usable:', [(error as Error).message]);
  }
}

async function currentKeyText(settings: EncryptionSettings, file: string, log: Logger) {
  if (settings.encryptionKey) return settings.encryptionKey;

  const { secret, created } = await loadOrCreateSecret(file, generateKeyText);
  log.info({ file }, created
    ? 'encryption key generated into the data folder; back it up with the database'
    : 'encryption key read from the data folder');
  return secret;
}

/**
 * Refuses to start when the database holds data under a key the config no longer has:
 * that data could not be read, and new data would be written beside it under another key.
 */
export async function checkKeysInUse(db: Database, keyring: Keyring): Promise<void> {
  const used = await db.select({ id: encryptionKeys.id }).from(encryptionKeys);
  const missing = used.map((row) => row.id).filter((id) => !keyring.keyIds.includes(id));
  if (missing.length === 0) {
    await db.insert(encryptionKeys).values({ id: keyring.current.id }).onConflictDoNothing();
    return;
  }

  const problem = 'Data in the database is encrypted under keys that are not configured:';
  throw new StartupError(problem, [
    ...missing.map((id) => `key "${id}"`),
    'Configure the key as security.encryptionKey, or the old one in ' +
      'security.previousEncryptionKeys.',
  ]);
}
