import { isDeepStrictEqual } from 'node:util';
import type { HubConfig } from '../config/schema.ts';

/** Sections a running hub takes over from an edited config file without a restart. */
const liveSections = ['templates', 'accounts'] as const;

export interface ConfigChanges {
  /** The running config with the live sections of the new one. */
  config: HubConfig;
  /** Whether the declared accounts differ, so they are declared again. */
  accountsChanged: boolean;
  /** Settings that differ but are only read at start: `server.port`, `channels.sms`. */
  restartNeeded: string[];
}

/**
 * Splits what changed between the running config and a new one. The server, database, queue,
 * security, logging, plugins, channels, triggers and account defaults are wired into
 * connections, providers and routes at start, so they wait for a restart; the templates and
 * the declared accounts apply at once.
 */
export function compareConfigs(running: HubConfig, next: HubConfig): ConfigChanges {
  const live = Object.fromEntries(liveSections.map((section) => [section, next[section]]));
  const config = Object.freeze({ ...running, ...live }) as HubConfig;

  const restartNeeded = changedPaths(running, next, '', 2)
    .filter((path) => !liveSections.some((section) => isWithin(path, section)));
  const accountsChanged = !same(running.accounts, next.accounts);
  return { config, accountsChanged, restartNeeded };
}

/** Dotted paths of the settings that differ, down to `depth` levels. */
function changedPaths(before: unknown, after: unknown, prefix: string, depth: number): string[] {
  if (same(before, after)) return [];
  if (depth === 0 || !isMap(before) || !isMap(after)) return [prefix];

  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return keys.flatMap((key) => {
    const path = prefix ? `${prefix}.${key}` : key;
    return changedPaths(before[key], after[key], path, depth - 1);
  });
}

function isWithin(path: string, section: string): boolean {
  return path === section || path.startsWith(`${section}.`);
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function same(left: unknown, right: unknown): boolean {
  return isDeepStrictEqual(left, right);
}
