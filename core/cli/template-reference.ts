import { coreSampleData } from '../plugins/required-templates.ts';
import type { BundledPlugins } from './bundled-plugins.ts';

const introduction = `# Template reference

The templates each bundled trigger renders, and the data they get, generated from what the
triggers declare (\`npm run docs\` writes it). A template lives in
\`templates/<trigger>/<kind>.<channel>.hbs\`, with a language variant beside it
(\`reminder.sms.es.hbs\`) and an account's own version in
\`templates/accounts/<accountId>/<trigger>/\`. The hub renders each one with the example data
below at start and on every reload, and refuses a template that reads a variable the data
does not have. \`hub preview <trigger>/<kind>/<channel>\` shows one rendered.

An email template needs no unsubscribe link: the email channel ends every email to a client
or contact with one, in the recipient's language, and names it in a one-click
\`List-Unsubscribe\` header.`;

const coreNote = 'Every template also gets the recipient and the practice:';

/** The templates and variables of every bundled trigger, as Markdown. */
export function renderTemplateReference(plugins: BundledPlugins): string {
  const allChannels = plugins.channels.map((channel) => channel.id);
  const parts = [introduction, coreNote, variableTable(coreSampleData)];

  for (const trigger of plugins.triggers) {
    parts.push(`## ${trigger.id}`);
    const kinds = Object.entries(trigger.templates);
    if (kinds.length === 0) {
      parts.push('Renders only the templates a request names, with the data it gives: any ' +
        `file in \`templates/${trigger.id}/\`.`);
    }

    for (const [kind, needs] of kinds) {
      const channels = needs.channels ?? allChannels;
      const files = channels.map((channel) => `\`templates/${trigger.id}/${kind}.${channel}.hbs\``);
      parts.push(`### ${kind}`, `Files: ${files.join(', ')}.`, variableTable(needs.sampleData));
    }
  }
  return `${parts.join('\n\n')}\n`;
}

function variableTable(data: Record<string, unknown>): string {
  const rows = flatten(data, '').map(([path, example]) =>
    `| \`${path}\` | ${example.replaceAll('|', '\\|')} |`);
  return ['| Variable | Example |', '| --- | --- |', ...rows].join('\n');
}

/** `{ appointment: { start } }` becomes `appointment.start`; a list's items `forms[].name`. */
function flatten(value: unknown, path: string): Array<[string, string]> {
  if (Array.isArray(value)) {
    return value.length > 0 ? flatten(value[0], `${path}[]`) : [[path, 'a list']];
  }
  if (typeof value === 'object' && value !== null && !(value instanceof Date)) {
    return Object.entries(value).flatMap(([key, child]) =>
      flatten(child, path ? `${path}.${key}` : key));
  }
  return [[path, `\`${JSON.stringify(value)}\``]];
}
