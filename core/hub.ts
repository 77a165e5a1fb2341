import { join, dirname } from 'node:path';
import type { DestinationStream } from 'pino';
import { AccountStore } from './accounts/store.ts';
import { queueDeliveries } from './callbacks/deliveries.ts';
import { startEventRelay } from './callbacks/relay.ts';
import { startCallbackWorkers } from './callbacks/workers.ts';
import { startConsentWorkers } from './consent/workers.ts';
import { loadConfig, type LoadedConfig } from './config/load.ts';
import { checkPrices } from './credit/prices.ts';
import { settleCredit } from './credit/settle.ts';
import { applyMigrations, connectDatabase } from './db/client.ts';
import {
  DataFolderInUseError, embeddedDatabaseUrl, startEmbeddedPostgres, type EmbeddedPostgresServer,
} from './db/embedded.ts';
import { WriteBatcher } from './db/write-batcher.ts';
import { startTableUpkeep } from './db/upkeep.ts';
import type { Keyring } from './encryption/keyring.ts';
import { checkKeysInUse, setUpEncryption } from './encryption/setup.ts';
import { createApp, createOperationsApp, type HubApp } from './http/app.ts';
import { listen } from './http/listen.ts';
import { createLogger, type Logger } from './log.ts';
import { receiveMessage } from './messages/inbound.ts';
import { startMessageWorkers } from './messages/workers.ts';
import { planNotifications } from './notifications/plan.ts';
import { startNotificationWorkers } from './notifications/workers.ts';
import { startReplyWorkers } from './replies/workers.ts';
import { defaultConfigFile, fromProject, projectRoot } from './paths.ts';
import { loadOrCreateSecret } from './secret-file.ts';
import { generateKey } from './accounts/keys.ts';
import type { StatusUpdate } from './plugins/channel.ts';
import { loadPlugins, type PluginRegistry } from './plugins/registry.ts';
import { createJobQueue, queueNames, type JobQueue } from './queue/queue.ts';
import { LiveReload, type ReloadOutcome, type ReloadScope } from './reload/live-reload.ts';
import type { Clock, HubServices } from './services.ts';
import { checkTemplates } from './plugins/required-templates.ts';
import { TemplateEngine } from './templates/index.ts';

export type Role = 'api' | 'worker' | 'all';

export interface HubOptions {
  configFile?: string;
  /** The environment `${VAR}` reads; the process environment by default. */
  env?: Record<string, string | undefined>;
  /** Overrides the config's role. */
  role?: Role;
  clock?: Clock;
  /** Where log lines go; standard output by default. */
  logDestination?: DestinationStream;
  /**
   * Opens the database and the queue but serves nothing, runs no workers and watches no
   * files: for a command that works beside the running hub (`hub send`, `hub migrate`).
   */
  idle?: boolean;
  /** Reload the config and templates when their files change; true by default. */
  watch?: boolean;
}

/** A running hub: its HTTP app, its URL when it serves HTTP, and its services. */
export interface Hub {
  readonly services: HubServices;
  readonly app: HubApp;
  /** The HTTP server's address: the API's, or a worker's health checks and metrics. */
  readonly url?: string;
  readonly adminKey: string;
  /** The keys patient data is encrypted under: the current one and the previous ones. */
  readonly keyring: Keyring;
  /** Reads the config (and the templates) or only the templates again; see LiveReload. */
  reload(scope?: ReloadScope): Promise<ReloadOutcome>;
  stop(): Promise<void>;
}

/**
 * Starts the hub: config, database (embedded when no URL is configured), migrations, plugins,
 * templates, queue, workers and HTTP server, in that order. Anything wrong stops the start with
 * an error that says what, and what was already started is stopped again.
 */
export async function startHub(options: HubOptions = {}): Promise<Hub> {
  const loaded = loadConfig(options.configFile ?? defaultConfigFile, options.env);
  const { config } = loaded;
  const log = createLogger(config.logging, options.logDestination);
  const stack = new ShutdownStack(log);

  try {
    return await assemble(loaded, options, log, stack);
  } catch (error) {
    await stack.unwind();
    throw error;
  }
}

async function assemble(
  loaded: LoadedConfig,
  options: HubOptions,
  log: Logger,
  stack: ShutdownStack,
): Promise<Hub> {
  const { config } = loaded;
  const role = options.role ?? config.server.role;

  const plugins = await loadPlugins(loaded, projectRoot);
  checkPrices(config.prices, plugins);
  const templates = await TemplateEngine.load({
    ...config.templates, dir: fromProject(config.templates.dir),
  });
  checkTemplates(templates, plugins);

  const keyring = await setUpEncryption(config.security, dataFile(loaded, 'encryption-key'), log);
  const url = await databaseUrl(loaded, log, stack, options.idle);
  const database = connectDatabase(url, config.database, log);
  stack.push('database', () => database.close());
  await applyMigrations(database, log);
  await checkKeysInUse(database.db, keyring);

  const queue = createJobQueue(url, config.queue, log);
  await queue.start();
  stack.push('queue', () => queue.stop(config.server.shutdownTimeoutSeconds * 1000));

  const adminKey = await adminKeyFor(loaded, log);
  const services: HubServices = {
    config, log, clock: options.clock ?? (() => new Date()), database, queue, plugins, templates,
    accounts: new AccountStore(database.db, config.defaults.account, adminKey),
  };
  await declareAccounts(services);
  setUpChannels(services, plugins, queue, stack);

  const live = new LiveReload(services, { configFile: loaded.file, env: options.env });
  if (!options.idle && options.watch !== false) live.watch();
  stack.push('live reload', () => live.stop());

  const app = createApp(services);
  const served = role === 'worker' ? createOperationsApp(services) : app;
  if (role !== 'api' && !options.idle) {
    await startMessageWorkers(services);
    stack.push('callback deliveries', startCallbackWorkers(services));
    await startNotificationWorkers(services);
    stack.push('reply reading', startReplyWorkers(services));
    await startConsentWorkers(services);
    const consumers = [queueDeliveries, planNotifications, settleCredit];
    stack.push('event relay', startEventRelay(services, consumers));
    if (config.database.tableUpkeep) {
      const schemas = ['public', config.queue.schema];
      stack.push('table upkeep', startTableUpkeep(database.sql, schemas, log));
    }
  }
  const server = options.idle ? undefined : await serve(served, services, stack);

  log.info({ role, url: server?.url }, options.idle ? 'hub opened' : 'hub started');
  const reload = (scope?: ReloadScope) => live.reload(scope);
  return {
    services, app, url: server?.url, adminKey, keyring, reload, stop: () => stack.unwind(),
  };
}

async function databaseUrl(
  loaded: LoadedConfig,
  log: Logger,
  stack: ShutdownStack,
  idle = false,
) {
  const { database } = loaded.config;
  if (database.url) return database.url;

  log.info('no database url configured: starting the embedded PostgreSQL');
  let server: EmbeddedPostgresServer;
  try {
    server = await startEmbeddedPostgres({
      dataDir: fromProject(database.embedded.dataDir),
      port: database.embedded.port,
      log,
    });
  } catch (error) {
    // A command run beside a running hub uses the embedded server that hub started.
    if (idle && error instanceof DataFolderInUseError) {
      return embeddedDatabaseUrl(database.embedded.port);
    }
    throw error;
  }
  stack.push('embedded postgres', () => server.stop());
  return server.url;
}

async function adminKeyFor(loaded: LoadedConfig, log: Logger): Promise<string> {
  const configured = loaded.config.security.adminKey;
  if (configured) return configured;

  const file = dataFile(loaded, 'admin-key');
  const { secret, created } = await loadOrCreateSecret(file, () => generateKey('admin'));
  log.info({ file }, created ? 'admin key generated' : 'admin key read from the data folder');
  return secret;
}

/** Where generated secrets live: beside the embedded database's folder. */
function dataFile(loaded: LoadedConfig, name: string): string {
  return join(dirname(fromProject(loaded.config.database.embedded.dataDir)), name);
}

async function declareAccounts(services: HubServices): Promise<void> {
  for (const { id, name, ...settings } of services.config.accounts ?? []) {
    await services.accounts.declare({ id, name, settings });
  }
}

/** Most delivery reports one status job carries. */
const reportsPerJob = 100;

function setUpChannels(
  services: HubServices,
  plugins: PluginRegistry,
  queue: JobQueue,
  stack: ShutdownStack,
): void {
  // Providers post many reports at once; those that arrive while one insert runs share the
  // next job. Each webhook is answered once its report is stored.
  const reports = new WriteBatcher(async (updates: StatusUpdate[]) => {
    await queue.boss.insert(queueNames.status, [{ data: { reports: updates } }]);
    return updates.map(() => undefined);
  }, reportsPerJob);
  const status = (update: StatusUpdate) => reports.add(update);

  for (const [id, channel] of plugins.channels) {
    channel.instance = channel.plugin.create({
      config: channel.config,
      publicUrl: services.config.server.publicUrl,
      log: services.log.child({ plugin: id }),
      events: { status, inbound: (message) => receiveMessage(services, id, message) },
    });
    const { instance } = channel;
    if (instance.stop) stack.push(`channel ${id}`, () => instance.stop!());
  }
}

async function serve(app: HubApp, services: HubServices, stack: ShutdownStack) {
  const { host, port, idleConnectionSeconds } = services.config.server;
  const server = await listen(app.fetch, host, port, idleConnectionSeconds);
  stack.push('http server', () => server.close());
  return { url: server.url };
}

/**
 * What has been started, stopped again in reverse order: the HTTP server first, so no new
 * work arrives, then the queue, which waits for jobs in flight, then the database.
 */
class ShutdownStack {
  readonly #log: Logger;
  readonly #steps: Array<{ name: string; stop: () => Promise<void> }> = [];
  #unwinding?: Promise<void>;

  constructor(log: Logger) {
    this.#log = log;
  }

  push(name: string, stop: () => Promise<void>): void {
    this.#steps.push({ name, stop });
  }

  unwind(): Promise<void> {
    this.#unwinding ??= this.#run();
    return this.#unwinding;
  }

  async #run(): Promise<void> {
    for (const step of this.#steps.reverse()) {
      try {
        await step.stop();
        this.#log.debug({ step: step.name }, 'stopped');
      } catch (error) {
        this.#log.error({ err: error, step: step.name }, 'failed to stop cleanly');
      }
    }
    this.#log.info('hub stopped');
  }
}
