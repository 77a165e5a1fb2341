import type { AccountStore } from './accounts/store.ts';
import type { HubConfig } from './config/schema.ts';
import type { DatabaseConnection } from './db/client.ts';
import type { Logger } from './log.ts';
import type { PluginRegistry } from './plugins/registry.ts';
import type { JobQueue } from './queue/queue.ts';
import type { TemplateEngine } from './templates/index.ts';

/** A source of the current time; tests pass a clock they control. */
export type Clock = () => Date;

/** What the hub's parts share once it has started. */
export interface HubServices {
  config: HubConfig;
  log: Logger;
  clock: Clock;
  database: DatabaseConnection;
  queue: JobQueue;
  accounts: AccountStore;
  plugins: PluginRegistry;
  templates: TemplateEngine;
}
