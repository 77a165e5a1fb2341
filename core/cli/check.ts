import { isAbsolute, relative } from 'node:path';
import { ConfigError, formatProblems, loadConfig, type LoadedConfig } from '../config/load.ts';
import { StartupError } from '../errors.ts';
import { defaultConfigFile, fromProject, projectRoot } from '../paths.ts';
import { loadPlugins, type PluginRegistry } from '../plugins/registry.ts';
import { requiredTemplates } from '../plugins/required-templates.ts';
import { formatProblem, TemplateEngine } from '../templates/index.ts';
import { configOption, parseOptions } from './command.ts';

export async function run(args: string[]): Promise<number> {
  const { values } = parseOptions('check', args, configOption);
  const file = values.config ?? defaultConfigFile;

  const config = readConfig(file);
  if (!config.loaded) return report(config.problems, 'the templates were not checked');

  const plugins = await readPlugins(config.loaded);
  const templates = await inspectTemplates(config.loaded, plugins.registry);
  const problems = [...plugins.problems, ...templates.problems];
  if (problems.length > 0) return report(problems);

  const languages = config.loaded.config.templates.languages.join(', ');
  print(`${shownPath(file)}: the configuration and its plugins are valid.`);
  print(`Templates: ${count(templates.files, 'file')} load; ` +
    `${count(templates.required, 'template')} the hub needs render in ${languages}.`);
  return 0;
}

function readConfig(file: string): { loaded?: LoadedConfig; problems: string[] } {
  try {
    return { loaded: loadConfig(file), problems: [] };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return { problems: formatProblems(error.problems).split('\n') };
  }
}

async function readPlugins(loaded: LoadedConfig) {
  try {
    return { registry: await loadPlugins(loaded, projectRoot), problems: [] };
  } catch (error) {
    if (!(error instanceof StartupError)) throw error;
    return { registry: undefined, problems: error.problems };
  }
}

/**
 * Without the plugins there is no telling which templates are needed, but every file is
 * still read and compiled.
 */
async function inspectTemplates(loaded: LoadedConfig, plugins: PluginRegistry | undefined) {
  const { templates } = loaded.config;
  const options = { ...templates, dir: fromProject(templates.dir) };
  const required = plugins ? requiredTemplates(plugins) : [];

  const problems = (await TemplateEngine.inspect(options, required)).map(formatProblem);
  if (problems.length > 0) return { problems, files: 0, required: required.length };

  const engine = await TemplateEngine.load(options);
  return { problems, files: engine.listTemplates().length, required: required.length };
}

function report(problems: string[], note?: string): number {
  for (const problem of problems) print(problem);

  print(`\n${count(problems.length, 'problem')} found${note ? `; ${note}` : ''}.`);
  return 1;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** The file as the user would type it: relative to the working folder when inside it. */
function shownPath(file: string): string {
  const inside = relative(process.cwd(), file);
  return inside.startsWith('..') || isAbsolute(inside) ? file : inside;
}

function print(line: string): void {
  process.stdout.write(`${line}\n`);
}
