import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import type { LoadedConfig } from '../config/load.ts';
import { HubError, StartupError } from '../errors.ts';
import type { ChannelInstance, ChannelPlugin } from './channel.ts';
import type { TriggerPlugin } from './trigger.ts';

export interface LoadedChannel {
  plugin: ChannelPlugin;
  config: { provider: string } & Record<string, unknown>;
  instance?: ChannelInstance;
}

export interface LoadedTrigger {
  plugin: TriggerPlugin;
  config: unknown;
}

/** The channel and trigger plugins in force, by id. */
export class PluginRegistry {
  readonly channels = new Map<string, LoadedChannel>();
  readonly triggers = new Map<string, LoadedTrigger>();

  get channelIds(): string[] {
    return [...this.channels.keys()];
  }

  channel(id: string): LoadedChannel {
    const channel = this.channels.get(id);
    if (!channel) throw new HubError('unknown_channel', { message: `No channel "${id}".` });
    return channel;
  }

  instance(id: string): ChannelInstance {
    const instance = this.channel(id).instance;
    if (!instance) throw new Error(`The ${id} channel has not been set up`);
    return instance;
  }
}

type PluginKind = 'channel' | 'trigger';

const folderByKind = { channel: 'channels', trigger: 'plugins' } as const;

/**
 * Loads the plugins the config names, checks each against its contract and validates its
 * config section. Every problem is collected, so one start shows them all.
 */
export async function loadPlugins(
  loaded: LoadedConfig,
  projectRoot: string,
): Promise<PluginRegistry> {
  const registry = new PluginRegistry();
  const problems: string[] = [];
  const { plugins } = loaded.config;

  for (const name of plugins.channels) {
    const plugin = await importPlugin('channel', name, projectRoot, problems);
    if (plugin) addChannel(registry, plugin as ChannelPlugin, loaded, problems);
  }
  for (const name of plugins.triggers) {
    const plugin = await importPlugin('trigger', name, projectRoot, problems);
    if (plugin) addTrigger(registry, plugin as TriggerPlugin, loaded, problems);
  }

  if (problems.length) throw new StartupError('Plugins are misconfigured:', problems);
  return registry;
}

async function importPlugin(
  kind: PluginKind,
  name: string,
  projectRoot: string,
  problems: string[],
): Promise<unknown> {
  try {
    const module = await import(resolvePlugin(kind, name, projectRoot));
    const plugin = module.default;
    const contractProblem = checkContract(kind, plugin);
    if (contractProblem) problems.push(`${kind} plugin "${name}": ${contractProblem}`);
    return contractProblem ? undefined : plugin;
  } catch (error) {
    problems.push(`${kind} plugin "${name}" could not be loaded: ${(error as Error).message}`);
    return undefined;
  }
}

/** A folder of the project, a path, or an npm package name. */
function resolvePlugin(kind: PluginKind, name: string, projectRoot: string): string {
  if (name.startsWith('.') || isAbsolute(name)) {
    const folder = resolve(projectRoot, name);
    return pathToFileURL(join(folder, 'index.ts')).href;
  }

  const bundled = join(projectRoot, folderByKind[kind], name, 'index.ts');
  return existsSync(bundled) ? pathToFileURL(bundled).href : name;
}

function checkContract(kind: PluginKind, plugin: unknown): string | undefined {
  if (!plugin || typeof plugin !== 'object') return 'has no default export';

  const candidate = plugin as Record<string, unknown>;
  if (candidate.kind !== kind) return `is not a ${kind} plugin (kind: ${String(candidate.kind)})`;
  if (typeof candidate.id !== 'string' || !/^[a-z][a-z0-9-]*$/.test(candidate.id)) {
    return 'needs an id of lower-case letters, digits and dashes';
  }
  const schema = candidate.configSchema as { safeParse?: unknown } | undefined;
  if (typeof schema?.safeParse !== 'function') return 'needs a zod configSchema';

  const functions = kind === 'channel'
    ? ['normalizeAddress', 'estimateUnits', 'create']
    : ['routes'];
  const missing = functions.filter((key) => typeof candidate[key] !== 'function');
  return missing.length ? `is missing ${missing.join(', ')}` : undefined;
}

function addChannel(
  registry: PluginRegistry,
  plugin: ChannelPlugin,
  loaded: LoadedConfig,
  problems: string[],
): void {
  if (registry.channels.has(plugin.id)) {
    problems.push(`channel plugin "${plugin.id}" is registered twice`);
    return;
  }
  const config = validatePluginConfig(loaded, ['channels', plugin.id], plugin, problems);
  if (!config) return;
  registry.channels.set(plugin.id, { plugin, config: config as LoadedChannel['config'] });
}

function addTrigger(
  registry: PluginRegistry,
  plugin: TriggerPlugin,
  loaded: LoadedConfig,
  problems: string[],
): void {
  if (registry.triggers.has(plugin.id)) {
    problems.push(`trigger plugin "${plugin.id}" is registered twice`);
    return;
  }
  const config = validatePluginConfig(loaded, ['triggers', plugin.id], plugin, problems);
  if (config) registry.triggers.set(plugin.id, { plugin, config });
}

function validatePluginConfig(
  loaded: LoadedConfig,
  path: string[],
  plugin: ChannelPlugin | TriggerPlugin,
  problems: string[],
): unknown {
  try {
    // A plugin without a section in the file gets its defaults, as if the section were empty.
    const schema = z.preprocess((value) => value ?? {}, plugin.configSchema);
    return loaded.validateSection(path, schema);
  } catch (error) {
    problems.push(`${plugin.kind} plugin "${plugin.id}": ${(error as Error).message}`);
    return undefined;
  }
}
