import { readFile } from 'node:fs/promises';
import type { PluginRegistry } from '../plugins/registry.ts';
import { coreSampleData } from '../plugins/required-templates.ts';
import type { TemplateRef } from '../templates/index.ts';
import { CommandError } from './command.ts';

type Data = Record<string, unknown>;

/**
 * The data a preview renders with: the sample data the trigger declares for this kind (the
 * same the start renders every template with), the core's, then the file's values over both.
 */
export async function previewData(
  plugins: PluginRegistry,
  ref: TemplateRef,
  dataFile: string | undefined,
): Promise<Data> {
  const declared = plugins.triggers.get(ref.trigger)?.plugin.templates[ref.kind]?.sampleData;
  const sample = merge(declared ?? {}, coreSampleData);
  return dataFile ? merge(sample, await readDataFile(dataFile)) : sample;
}

async function readDataFile(file: string): Promise<Data> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new CommandError(`cannot read ${file} (${reason})`);
  }

  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new CommandError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  if (!isPlainObject(data)) throw new CommandError(`${file} must hold a JSON object`);
  return data;
}

/** Objects merge key by key, so a file can change `appointment.start` alone. */
function merge(base: Data, over: Data): Data {
  const merged: Data = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = merged[key];
    merged[key] = isPlainObject(current) && isPlainObject(value) ? merge(current, value) : value;
  }
  return merged;
}

function isPlainObject(value: unknown): value is Data {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
