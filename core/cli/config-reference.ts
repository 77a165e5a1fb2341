import { buildConfigJsonSchema, buildSectionJsonSchema } from '../config/json-schema.ts';
import type { BundledPlugins } from './bundled-plugins.ts';
import { renderTable, settingRows, variantsOf, type Schema } from './settings-table.ts';

const introduction = `# Configuration reference

Every setting of \`config/hub.yaml\`, generated from the schemas the hub checks the file with,
so it says what this version accepts. \`npm run docs\` (\`hub docs\`) writes it; the tests fail
when it is out of date. Any value may be written as \`\${VAR}\`, or \`\${VAR:-default}\`, to
read it from the environment; \`hub check\` checks a file without starting the hub.`;

/** The settings of the hub and of every bundled plugin, as Markdown. */
export function renderConfigReference(plugins: BundledPlugins): string {
  const hub = buildConfigJsonSchema();
  const sections = Object.entries((hub.properties ?? {}) as Record<string, Schema>);

  const parts = [introduction, '## The hub'];
  for (const [name, schema] of sections) parts.push(renderSection(name, schema));

  parts.push('## Channels', 'Each channel checks its own section of `channels`.');
  for (const { id, configSchema } of plugins.channels) {
    parts.push(renderSection(`channels.${id}`, buildSectionJsonSchema(configSchema)));
  }

  parts.push('## Triggers', 'Each trigger checks its own section of `triggers`.');
  for (const { id, configSchema } of plugins.triggers) {
    parts.push(renderSection(`triggers.${id}`, buildSectionJsonSchema(configSchema)));
  }
  return `${parts.join('\n\n')}\n`;
}

function renderSection(name: string, schema: Schema): string {
  const heading = `### ${name}`;
  const description = schema.description ? `\n\n${schema.description}` : '';

  const variants = variantsOf(schema);
  if (variants.length > 0) {
    const blocks = variants.map(({ label, schema: variant }) =>
      `#### With \`${label}\`\n\n${tableOrNone(variant, name)}`);
    return `${heading}${description}\n\n${blocks.join('\n\n')}`;
  }
  return `${heading}${description}\n\n${tableOrNone(schema, name)}`;
}

function tableOrNone(schema: Schema, path: string): string {
  const rows = settingRows(schema, path).filter((row) => row.setting !== path);
  return rows.length > 0 ? renderTable(rows) : 'No settings.';
}
