import { loadConfig } from '../config/load.ts';
import type { HubConfig } from '../config/schema.ts';
import { HubError } from '../errors.ts';
import { defaultConfigFile, fromProject, projectRoot } from '../paths.ts';
import type { ChannelPlugin, MessageBody, Pricing } from '../plugins/channel.ts';
import { loadPlugins } from '../plugins/registry.ts';
import { TemplateEngine, type RenderedContent, type TemplateRef } from '../templates/index.ts';
import { CommandError, configOption, parseOptions } from './command.ts';
import { previewData } from './preview-data.ts';

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions('preview', args, {
    ...configOption,
    data: { type: 'string' },
    lang: { type: 'string' },
    account: { type: 'string' },
    'time-zone': { type: 'string' },
    html: { type: 'boolean' },
  }, { min: 1, max: 1 });
  const ref = parseTemplateRef(positionals[0]);

  const loaded = loadConfig(values.config ?? defaultConfigFile);
  const { config } = loaded;
  const plugins = await loadPlugins(loaded, projectRoot);
  const channel = plugins.channels.get(ref.channel);
  if (!channel) throw new CommandError(`no channel "${ref.channel}" is enabled in the config`);

  const templates = await TemplateEngine.load({
    ...config.templates, dir: fromProject(config.templates.dir),
  });
  const rendered = renderPreview(templates, {
    ...ref,
    language: values.lang ?? config.templates.defaultLanguage,
    accountId: values.account,
    timeZone: values['time-zone'] ?? config.defaults.account.timeZone,
    data: await previewData(plugins, ref, values.data),
  });

  show(rendered, channel.plugin, unitPrice(config, channel.plugin), values.html ?? false);
  return 0;
}

function parseTemplateRef(text: string): TemplateRef {
  const [trigger, kind, channel, ...rest] = text.split('/');
  if (!trigger || !kind || !channel || rest.length > 0) {
    const example = 'as in appointment/reminder/sms';
    throw new CommandError(`"${text}" is not <trigger>/<kind>/<channel>, ${example}`);
  }
  return { trigger, kind, channel };
}

function renderPreview(
  templates: TemplateEngine,
  input: Parameters<TemplateEngine['render']>[0],
): RenderedContent {
  try {
    return templates.render(input);
  } catch (error) {
    if (error instanceof HubError) throw new CommandError(error.message, { cause: error });
    throw error;
  }
}

const unitNames: Record<Pricing, [string, string]> = {
  segment: ['segment', 'segments'],
  minute: ['minute', 'minutes'],
  page: ['page', 'pages'],
  free: ['', ''],
};

function show(rendered: RenderedContent, plugin: ChannelPlugin, price: number | undefined,
  html: boolean): void {
  const lines = [`${rendered.templateFile} (${rendered.language})`, ''];
  if (rendered.subject !== undefined) lines.push(`Subject: ${rendered.subject}`, '');
  lines.push(rendered.text, '');
  if (html && rendered.html) lines.push('HTML:', rendered.html, '');

  lines.push(describeSize(rendered, plugin, price));
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** What the message takes: characters and segments, minutes or pages, and their cost. */
function describeSize(body: MessageBody, plugin: ChannelPlugin, price: number | undefined) {
  const { pricing } = plugin.capabilities;
  const characters = `${[...body.text].length} characters`;
  if (pricing === 'free') return `${plugin.id}: ${characters}, free`;

  const units = plugin.estimateUnits(body);
  const [one, many] = unitNames[pricing];
  const size = `${plugin.id}: ${characters}, ${units} ${units === 1 ? one : many}`;
  if (price === undefined) return size;
  return `${size}, cost ${units * price} (${units} × ${price}, in minor units such as cents)`;
}

const priceKeys: Record<Exclude<Pricing, 'free'>, string> = {
  segment: 'perSegment', minute: 'perMinute', page: 'perPage',
};

/** The configured price of one unit of the channel (`prices.<channel>`), when it has one. */
function unitPrice(config: HubConfig, plugin: ChannelPlugin): number | undefined {
  const { pricing } = plugin.capabilities;
  if (pricing === 'free') return undefined;

  const prices = (config as { prices?: Record<string, Record<string, unknown>> }).prices;
  const price = prices?.[plugin.id]?.[priceKeys[pricing]];
  return typeof price === 'number' ? price : undefined;
}
