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
  /** Replaced whole when a live reload applies a new file: read it at use, never keep it. */
  config: HubConfig;
  log: Logger;
  clock: Clock;
  database: DatabaseConnection;
  queue: JobQueue;
  accounts: AccountStore;
  plugins: PluginRegistry;
  /**
   * Replaced whole when a live reload applies new templates. Read it when rendering, never
   * keep it, so that a message renders with the templates in force when it is sent.
   */
  templates: TemplateEngine;
}
