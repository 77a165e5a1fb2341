import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { generateKey } from './accounts/keys.ts';

/**
 * The admin key when the config names none: generated once into the data folder, so that
 * the quick start needs no secrets and keeps the same key across restarts.
 */
export async function loadOrCreateAdminKey(
  file: string,
): Promise<{ key: string; created: boolean }> {
  if (existsSync(file)) return { key: (await readFile(file, 'utf8')).trim(), created: false };

  const key = generateKey('admin');
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${key}\n`, { mode: 0o600 });
  return { key, created: true };
}
