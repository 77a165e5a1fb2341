import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * A secret the config leaves empty (the admin key, the encryption key): generated once into
 * the data folder, so the quick start needs no secrets and keeps the same ones across restarts.
 */
export async function loadOrCreateSecret(
  file: string,
  generate: () => string,
): Promise<{ secret: string; created: boolean }> {
  if (existsSync(file)) return { secret: (await readFile(file, 'utf8')).trim(), created: false };

  const secret = generate();
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  return { secret, created: true };
}
