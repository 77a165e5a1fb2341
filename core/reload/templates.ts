import type { HubConfig } from '../config/schema.ts';
import { StartupError } from '../errors.ts';
import { fromProject } from '../paths.ts';
import type { PluginRegistry } from '../plugins/registry.ts';
import { requiredTemplates } from '../plugins/required-templates.ts';
import { formatProblem, TemplateEngine } from '../templates/index.ts';

export type CheckedTemplates =
  | { engine: TemplateEngine; problems?: undefined }
  | { engine?: undefined; problems: string[] };

/**
 * Loads the template folder the config names and checks every template the triggers need,
 * as the start does; returns every problem instead of throwing.
 */
export async function loadCheckedTemplates(
  config: HubConfig,
  plugins: PluginRegistry,
): Promise<CheckedTemplates> {
  const options = { ...config.templates, dir: fromProject(config.templates.dir) };

  let engine: TemplateEngine;
  try {
    engine = await TemplateEngine.load(options);
  } catch (error) {
    if (error instanceof StartupError) return { problems: error.problems };
    throw error;
  }

  const problems = engine.check(requiredTemplates(plugins)).map(formatProblem);
  return problems.length > 0 ? { problems } : { engine };
}
