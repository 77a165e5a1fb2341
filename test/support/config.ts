import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { projectRoot } from '../../core/paths.ts';

let folder: Promise<string> | undefined;

/**
 * Writes the default config with some settings changed (`'channels.sms.provider': 'twilio'`)
 * to a file of its own, and returns its path.
 */
export async function writeConfig(name: string, changes: Record<string, unknown>) {
  const source = await readFile(join(projectRoot, 'config/hub.yaml'), 'utf8');
  const document = parseDocument(source);
  for (const [path, value] of Object.entries(changes)) document.setIn(path.split('.'), value);

  folder ??= mkdtemp(join(tmpdir(), 'hub-config-'));
  const file = join(await folder, name);
  await writeFile(file, document.toString());
  return file;
}

/** A port nothing listens on now, so a hub can know its public URL before it starts. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
