import { join } from 'node:path';
import { z } from 'zod';
import { interpolatable } from './scalars.ts';
import { hubConfigSchema } from './schema.ts';

type JsonSchema = z.core.JSONSchema.BaseSchema;

// Any string that contains a reference, for settings whose value may be `${VAR}`.
const referenceSchema: JsonSchema = { type: 'string', pattern: '\\$\\{' };

/** Where the generated schema is committed, next to the default `hub.yaml` that names it. */
export const configJsonSchemaFile = join(import.meta.dirname, '../../config/hub.schema.json');

/**
 * The JSON Schema that editors use to check and complete `hub.yaml`, derived from the schema
 * the loader validates with. It describes what may be written (`io: 'input'`), so settings
 * with defaults are optional.
 */
export function buildConfigJsonSchema(): JsonSchema {
  const generated = z.toJSONSchema(hubConfigSchema, { io: 'input', override: adjust });
  return { ...generated, title: 'Messaging hub configuration' };
}

/**
 * The JSON Schema of a plugin's config section, derived the same way. A setting that only code
 * can check (a refinement, a transform) is described by what it accepts as written.
 */
export function buildSectionJsonSchema(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, { io: 'input', override: adjust, unrepresentable: 'any' });
}

/** The schema as committed in `config/hub.schema.json`. */
export function renderConfigJsonSchema(): string {
  return `${JSON.stringify(buildConfigJsonSchema(), null, 2)}\n`;
}

function adjust(context: { zodSchema: z.core.$ZodTypes; jsonSchema: JsonSchema }): void {
  const { zodSchema, jsonSchema } = context;
  dropSafeIntegerBounds(jsonSchema);

  if (interpolatable.has(zodSchema)) {
    const own = { ...jsonSchema };
    for (const key of Object.keys(jsonSchema)) delete jsonSchema[key];
    jsonSchema.anyOf = [own, referenceSchema];
  }

  // zod drops the default of a setting that it converts (text to number), although the
  // default is just as true for what is written.
  const def = zodSchema._zod.def;
  if (def.type === 'default' && jsonSchema.default === undefined) {
    jsonSchema.default = def.defaultValue as JsonSchema['default'];
  }
}

/** zod states JavaScript's safe-integer range on every integer, which only adds noise. */
function dropSafeIntegerBounds(jsonSchema: JsonSchema): void {
  if (jsonSchema.minimum === Number.MIN_SAFE_INTEGER) delete jsonSchema.minimum;
  if (jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete jsonSchema.maximum;
}
