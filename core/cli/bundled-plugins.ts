import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { projectRoot } from '../paths.ts';
import type { ChannelPlugin } from '../plugins/channel.ts';
import type { TriggerPlugin } from '../plugins/trigger.ts';

export interface BundledPlugins {
  channels: ChannelPlugin[];
  triggers: TriggerPlugin[];
}

/** Every plugin that comes with the hub, enabled or not, in the order of their folders. */
export async function loadBundledPlugins(): Promise<BundledPlugins> {
  return {
    channels: await importFolder<ChannelPlugin>('channels'),
    triggers: await importFolder<TriggerPlugin>('plugins'),
  };
}

async function importFolder<T>(folder: string): Promise<T[]> {
  const root = join(projectRoot, folder);
  const names = (await readdir(root, { withFileTypes: true }))
    .filter((entry) => entry.isDirectory() && existsSync(join(root, entry.name, 'index.ts')))
    .map((entry) => entry.name)
    .sort();

  const plugins: T[] = [];
  for (const name of names) {
    const module = await import(pathToFileURL(join(root, name, 'index.ts')).href);
    plugins.push(module.default as T);
  }
  return plugins;
}
