import { ConfigError, formatProblems, loadConfig } from '../config/load.ts';
import type { Environment } from '../config/interpolate.ts';
import { StartupError } from '../errors.ts';
import { hubMetrics } from '../metrics/hub-metrics.ts';
import { fromProject, projectRoot } from '../paths.ts';
import { loadPlugins } from '../plugins/registry.ts';
import type { HubServices } from '../services.ts';
import { compareConfigs } from './config-changes.ts';
import { loadCheckedTemplates } from './templates.ts';
import { watchFile, watchFolder, type Watch } from './watch.ts';

/** What a reload reads again: the config file (and with it the templates), or the templates. */
export type ReloadScope = 'config' | 'templates';

export interface ReloadOutcome {
  scope: ReloadScope;
  applied: boolean;
  /** Every problem that kept the new version out, as `file:line: message`. */
  problems: string[];
  /** Settings that changed but take effect at the next restart. */
  restartNeeded: string[];
}

export interface LiveReloadOptions {
  configFile: string;
  /** The environment the config was read with; `${VAR}` reads it again on a reload. */
  env?: Environment;
}

/** Editors write a file in several steps; changes this close together make one reload. */
const settleMs = 150;

/**
 * Reloads the config file and the templates while the hub runs. A new version is checked
 * as the start checks it and replaces the old one whole, or not at all: when it has problems,
 * the hub keeps running on the old one and logs every problem. Messages render with the
 * templates in force when they are sent, since dispatch reads `services.templates` then.
 */
export class LiveReload {
  readonly #services: HubServices;
  readonly #options: LiveReloadOptions;
  #watches: Watch[] = [];
  #watching = false;
  #timer?: NodeJS.Timeout;
  #pending?: ReloadScope;
  #last: Promise<unknown> = Promise.resolve();

  constructor(services: HubServices, options: LiveReloadOptions) {
    this.#services = services;
    this.#options = options;
  }

  /** Reloads on every change to the config file or to a template file. */
  watch(): void {
    this.#watching = true;
    this.#rewatch();
  }

  /** Runs one reload after any in progress; `config` reads the templates again as well. */
  reload(scope: ReloadScope = 'config'): Promise<ReloadOutcome> {
    const run = this.#last.then(() => this.#run(scope));
    this.#last = run.catch(() => undefined);
    return run;
  }

  async stop(): Promise<void> {
    this.#watching = false;
    clearTimeout(this.#timer);
    for (const watch of this.#watches) watch.close();
    this.#watches = [];
    await this.#last;
  }

  #rewatch(): void {
    for (const watch of this.#watches) watch.close();
    if (!this.#watching) return;

    const { log, config } = this.#services;
    const templatesDir = fromProject(config.templates.dir);
    this.#watches = [
      watchFile(this.#options.configFile, () => this.#schedule('config'), log),
      watchFolder(templatesDir, () => this.#schedule('templates'), log),
    ];
  }

  #schedule(scope: ReloadScope): void {
    this.#pending = this.#pending === 'config' ? 'config' : scope;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      const pending = this.#pending ?? scope;
      this.#pending = undefined;
      this.reload(pending).catch((error: unknown) => {
        this.#services.log.error({ err: error }, 'reload failed');
      });
    }, settleMs);
  }

  async #run(scope: ReloadScope): Promise<ReloadOutcome> {
    const outcome = scope === 'config' ? await this.#reloadConfig() : await this.#reloadTemplates();
    hubMetrics.reloads.inc({ what: scope, outcome: outcome.applied ? 'applied' : 'refused' });

    const { log } = this.#services;
    if (!outcome.applied) {
      log.error({ what: scope, problems: outcome.problems },
        `${scope} reload refused: the hub keeps running on the previous version`);
    } else if (outcome.restartNeeded.length > 0) {
      log.warn({ settings: outcome.restartNeeded },
        'config reloaded; these settings take effect at the next restart');
    }
    return outcome;
  }

  async #reloadTemplates(): Promise<ReloadOutcome> {
    const services = this.#services;
    const checked = await loadCheckedTemplates(services.config, services.plugins);
    if (!checked.engine) return refused('templates', checked.problems);

    services.templates = checked.engine;
    const count = checked.engine.listTemplates().length;
    services.log.info({ templates: count }, 'templates reloaded');
    return { scope: 'templates', applied: true, problems: [], restartNeeded: [] };
  }

  async #reloadConfig(): Promise<ReloadOutcome> {
    const services = this.#services;
    const read = await readConfig(this.#options);
    if (read.problems) return refused('config', read.problems);

    const changes = compareConfigs(services.config, read.config);
    const checked = await loadCheckedTemplates(changes.config, services.plugins);
    if (!checked.engine) return refused('config', checked.problems);

    const templatesMoved = changes.config.templates.dir !== services.config.templates.dir;
    services.config = changes.config;
    services.templates = checked.engine;
    if (changes.accountsChanged) await declareAccounts(services);
    if (templatesMoved) this.#rewatch();

    services.log.info({ restartNeeded: changes.restartNeeded.length }, 'config reloaded');
    return { scope: 'config', applied: true, problems: [], restartNeeded: changes.restartNeeded };
  }
}

/** Reads and validates the file, with every plugin's section, as the start does. */
async function readConfig(options: LiveReloadOptions) {
  try {
    const loaded = loadConfig(options.configFile, options.env);
    await loadPlugins(loaded, projectRoot);
    return { config: loaded.config };
  } catch (error) {
    if (error instanceof ConfigError) {
      return { problems: formatProblems(error.problems).split('\n') };
    }
    if (error instanceof StartupError) return { problems: error.problems };
    throw error;
  }
}

async function declareAccounts(services: HubServices): Promise<void> {
  for (const { id, name, ...settings } of services.config.accounts ?? []) {
    await services.accounts.declare({ id, name, settings });
  }
}

function refused(scope: ReloadScope, problems: string[]): ReloadOutcome {
  return { scope, applied: false, problems, restartNeeded: [] };
}
