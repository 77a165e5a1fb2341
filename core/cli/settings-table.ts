import type { z } from 'zod';

/** A JSON Schema node, as the config schemas are converted. */
export type Schema = z.core.JSONSchema.BaseSchema;

export interface SettingRow {
  setting: string;
  type: string;
  default: string;
  description: string;
}

/**
 * The settings a schema describes, one row per setting: nested sections become dotted paths
 * (`database.embedded.port`), maps `<name>` (`channels.<name>.provider`), lists `[]`.
 */
export function settingRows(schema: Schema, path: string): SettingRow[] {
  const rows: SettingRow[] = [];
  collect(schema, path, false, rows);
  return rows;
}

/**
 * The alternatives of a schema that is one of several sections told apart by a constant
 * setting (a channel's `provider`), with that setting's value; empty for any other schema.
 */
export function variantsOf(schema: Schema): Array<{ label: string; schema: Schema }> {
  const variants = (schema.oneOf ?? schema.anyOf ?? []) as Schema[];
  const labels = variants.map(discriminatorOf);
  if (variants.length < 2 || labels.some((label) => label === undefined)) return [];
  return variants.map((variant, index) => ({ label: labels[index]!, schema: variant }));
}

/** Markdown table of the rows; `|` in a cell is escaped so the table holds. */
export function renderTable(rows: SettingRow[]): string {
  const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');
  const lines = rows.map((row) =>
    `| \`${row.setting}\` | ${cell(row.type)} | ${cell(row.default)} | ${cell(row.description)} |`);
  return ['| Setting | Type | Default | Description |', '| --- | --- | --- | --- |', ...lines]
    .join('\n');
}

function collect(schema: Schema, path: string, required: boolean, rows: SettingRow[]): void {
  const own = withoutReference(schema);
  const properties = own.properties as Record<string, Schema> | undefined;
  const entries = own.additionalProperties;
  const items = own.items as Schema | undefined;

  if (properties) {
    if (path && own.description) rows.push(row(path, 'section', own, required));
    const requiredKeys = new Set(own.required ?? []);
    for (const [key, child] of Object.entries(properties)) {
      collect(child, path ? `${path}.${key}` : key, requiredKeys.has(key), rows);
    }
    return;
  }

  if (own.type === 'object' && entries && typeof entries === 'object') {
    rows.push(row(path, `map of names to ${describeType(entries)}`, own, required));
    if (hasSettings(entries)) collect(stripDescription(entries), `${path}.<name>`, false, rows);
    return;
  }

  if (own.type === 'array' && items && hasSettings(items)) {
    rows.push(row(path, 'list', own, required));
    collect(stripDescription(items), `${path}[]`, false, rows);
    return;
  }

  rows.push(row(path, describeType(own), own, required));
}

function row(setting: string, type: string, schema: Schema, required: boolean): SettingRow {
  return {
    setting,
    type,
    default: describeDefault(schema, required),
    description: schema.description ?? '',
  };
}

function describeDefault(schema: Schema, required: boolean): string {
  const value = schema.default;
  if (value === undefined) return required ? 'required' : '';
  if (typeof value === 'object' && value !== null && Object.keys(value).length === 0) return '';
  return `\`${JSON.stringify(value)}\``;
}

function describeType(schema: Schema | boolean): string {
  if (typeof schema === 'boolean') return 'any';
  const own = withoutReference(schema);

  if (own.const !== undefined) return `\`${JSON.stringify(own.const)}\``;
  if (own.enum) return own.enum.map((value) => `\`${JSON.stringify(value)}\``).join(', ');

  const variants = (own.anyOf ?? own.oneOf) as Schema[] | undefined;
  if (variants) return variants.map(describeType).join(' or ');

  switch (own.type) {
    case 'string': return own.format === 'uri' ? 'URL' : 'text';
    case 'integer': return `whole number${range(own)}`;
    case 'number': return `number${range(own)}`;
    case 'boolean': return '`true` or `false`';
    case 'array': return `list of ${describeType((own.items as Schema | undefined) ?? true)}`;
    case 'object': return 'map';
    default: return 'any';
  }
}

function range(schema: Schema): string {
  const { minimum, maximum, exclusiveMinimum, exclusiveMaximum } = schema;
  if (minimum !== undefined && maximum !== undefined) return ` from ${minimum} to ${maximum}`;

  const bounds = [
    minimum !== undefined && `≥ ${minimum}`,
    exclusiveMinimum !== undefined && `> ${exclusiveMinimum}`,
    maximum !== undefined && `≤ ${maximum}`,
    exclusiveMaximum !== undefined && `< ${exclusiveMaximum}`,
  ].filter(Boolean);
  return bounds.length > 0 ? `, ${bounds.join(', ')}` : '';
}

/**
 * A setting that may also be written as `${VAR}` is described by the schema as either its own
 * type or text with a reference; only its own type is worth telling.
 */
function withoutReference(schema: Schema): Schema {
  const variants = schema.anyOf as Schema[] | undefined;
  if (!variants || variants.length !== 2) return schema;

  const isReference = (variant: Schema) =>
    variant.type === 'string' && variant.pattern === '\\$\\{';
  const own = variants.find((variant) => !isReference(variant));
  if (!own || !variants.some(isReference)) return schema;

  const { anyOf: _ignored, ...rest } = schema;
  return { ...rest, ...own };
}

function hasSettings(schema: Schema | boolean): schema is Schema {
  return typeof schema === 'object' && withoutReference(schema).properties !== undefined;
}

/** A map's entries and a list's items are described by the map or list itself. */
function stripDescription(schema: Schema): Schema {
  const { description: _ignored, ...rest } = schema;
  return rest;
}

function discriminatorOf(variant: Schema): string | undefined {
  const properties = (variant.properties ?? {}) as Record<string, Schema>;
  for (const [key, property] of Object.entries(properties)) {
    if (property.const !== undefined) return `${key}: ${String(property.const)}`;
  }
  return undefined;
}
