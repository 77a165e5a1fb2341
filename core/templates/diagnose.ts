import type { PathUse } from './analyze.ts';
import type { CompiledPart } from './compile.ts';
import { TemplateRenderError } from './errors.ts';
import { HelperError } from './helpers.ts';

/** The innermost partial an error came out of, set by the partial's wrapper. */
const errorOrigins = new WeakMap<object, CompiledPart>();

export function tagErrorOrigin(error: unknown, part: CompiledPart): void {
  if (typeof error === 'object' && error !== null && !errorOrigins.has(error)) {
    errorOrigins.set(error, part);
  }
}

/**
 * Names the file, line and variable of a failed render. Messages are built from the
 * template's own text, never from the data, because they end up in logs and callbacks.
 */
export function toRenderError(error: unknown, part: CompiledPart): TemplateRenderError {
  if (error instanceof TemplateRenderError) return error;

  const origin = (typeof error === 'object' && error && errorOrigins.get(error)) || part;
  const inFile = (line?: number) => (line === undefined ? undefined : line + origin.lineOffset);
  const base = { file: origin.file, cause: error };

  if (error instanceof HelperError) {
    return new TemplateRenderError({ ...base, line: inFile(error.line), reason: error.message });
  }

  const message = error instanceof Error ? error.message : String(error);
  const missing = /^"(.+)" not defined in /.exec(message)?.[1];
  if (missing !== undefined) {
    const line = (error as { lineNumber?: number }).lineNumber;
    const variable = nameMissingValue(origin.paths, missing, line);
    return missingValue(variable, inFile(line), base);
  }

  // A path through a missing object (`invoice.link` when there is no invoice) fails in
  // JavaScript before Handlebars can check it; the property read names the path.
  const property = error instanceof TypeError ? /reading '([^']+)'/.exec(message)?.[1] : undefined;
  const through = property === undefined ? undefined : findParent(origin.paths, property);
  if (through) return missingValue(through.variable, inFile(through.line), base);

  const reason = `cannot be rendered: ${message.replace(/ - \d+:\d+$/, '')}`;
  return new TemplateRenderError({ ...base, reason });
}

function missingValue(
  variable: string,
  line: number | undefined,
  base: { file: string; cause: unknown },
): TemplateRenderError {
  return new TemplateRenderError({ ...base, line, variable, reason: `"${variable}" not defined` });
}

/** Handlebars names only the last segment; the template's paths on that line give the rest. */
function nameMissingValue(paths: PathUse[], segment: string, line?: number): string {
  const onLine = paths.filter((path) => path.line === line && path.parts.includes(segment));
  const use = onLine[0] ?? paths.find((path) => path.parts.includes(segment));
  if (!use) return segment;

  const index = use.parts.indexOf(segment);
  return index === use.parts.length - 1 ? use.original : use.parts.slice(0, index + 1).join('.');
}

function findParent(
  paths: PathUse[],
  property: string,
): { variable: string; line: number } | undefined {
  for (const path of paths) {
    const index = path.parts.indexOf(property, 1);
    if (index > 0) return { variable: path.parts.slice(0, index).join('.'), line: path.line };
  }
  return undefined;
}
