import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type ConfigProblem } from './errors.ts';
import { interpolateDocument, type Environment } from './interpolate.ts';
import { formatPath, locatePath, type ConfigPath } from './locate.ts';
import { describeIssue, issueAnchor } from './issues.ts';
import { hubConfigSchema, type HubConfig } from './schema.ts';

export { ConfigError, formatProblems, type ConfigProblem } from './errors.ts';

export interface LoadedConfig {
  /** The validated settings with their defaults, deeply frozen. */
  readonly config: HubConfig;
  /** The file as it was given to `loadConfig`. */
  readonly file: string;
  /**
   * Checks a section that the hub schema passes through, such as `['channels', 'sms']`,
   * against the schema of the plugin that owns it. Returns the parsed section, deeply frozen;
   * a missing section is checked as `undefined`. Throws a `ConfigError` that points at the
   * file, line and setting, like the errors of the file itself.
   */
  validateSection<T>(path: readonly (string | number)[], schema: z.ZodType<T>): T;
}

interface Source {
  file: string;
  document: Document;
  lineCounter: LineCounter;
}

/**
 * Reads, interpolates and validates a hub configuration file. Every problem in the file is
 * collected into one `ConfigError`, so an admin fixes them in a single pass. The project reads
 * the environment nowhere else.
 */
export function loadConfig(file: string, env: Environment = process.env): LoadedConfig {
  const lineCounter = new LineCounter();
  const document = parseDocument(readSource(file), { lineCounter, prettyErrors: false });
  const source: Source = { file, document, lineCounter };

  const problems = document.errors.map((error) => problemAt(source, error.pos[0], error.message));
  const unresolved = interpolateDocument(document, env);
  problems.push(
    ...unresolved.map(({ path, message }) => problemAtPath(source, path, 'value', message)),
  );

  const result = hubConfigSchema.safeParse(readData(source, problems), { reportInput: true });
  const failedPaths = new Set(unresolved.map(({ path }) => formatPath(path)));
  if (!result.success) {
    const found = issueProblems(source, [], result.error.issues);
    problems.push(...found.filter((problem) => !failedPaths.has(problem.path)));
  }

  if (problems.length > 0 || !result.success) throw new ConfigError(sortProblems(problems));

  const config = deepFreeze(result.data);
  return {
    config,
    file,
    validateSection: (path, schema) => validateSection(source, config, path, schema),
  };
}

function validateSection<T>(
  source: Source,
  config: HubConfig,
  path: ConfigPath,
  schema: z.ZodType<T>,
): T {
  const result = schema.safeParse(valueAt(config, path), { reportInput: true });
  if (result.success) return deepFreeze(result.data);

  throw new ConfigError(sortProblems(issueProblems(source, path, result.error.issues)));
}

function readSource(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (cause) {
    const reason = (cause as NodeJS.ErrnoException).code ?? String(cause);
    const problem = { file, line: 1, column: 1, path: '', message: `Cannot read (${reason})` };
    throw new ConfigError([problem], { cause });
  }
}

/**
 * The document as plain data. A key written with no value (`server:` with everything under
 * it commented out) counts as not set, so its defaults apply.
 */
function readData(source: Source, problems: ConfigProblem[]): unknown {
  try {
    return withoutNulls(source.document.toJS()) ?? {};
  } catch (error) {
    // A document with syntax errors may not convert, and those errors are reported already;
    // otherwise this is an alias bomb or the like, which is a problem of its own.
    const message = error instanceof Error ? error.message : String(error);
    if (source.document.errors.length === 0) problems.push(problemAt(source, 0, message));
    return {};
  }
}

function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value === null || typeof value !== 'object') return value ?? undefined;

  const entries = Object.entries(value).filter(([, child]) => child !== null);
  return Object.fromEntries(entries.map(([key, child]) => [key, withoutNulls(child)]));
}

function issueProblems(
  source: Source,
  base: ConfigPath,
  issues: readonly z.core.$ZodIssue[],
): ConfigProblem[] {
  return issues.flatMap((issue) => {
    // zod reports all unknown keys of a map in one issue; each gets its own line here.
    const paths = issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => [...base, ...issue.path, key])
      : [[...base, ...issue.path]];

    const at = issueAnchor(issue);
    return paths.map((path) => problemAtPath(source, path, at, describeIssue(issue)));
  });
}

function problemAtPath(
  source: Source,
  path: ConfigPath,
  at: 'key' | 'value',
  message: string,
): ConfigProblem {
  const { line, column } = locatePath(source.document, source.lineCounter, path, at);
  return { file: source.file, line, column, path: formatPath(path), message };
}

function problemAt(source: Source, offset: number, message: string): ConfigProblem {
  const { line, col } = source.lineCounter.linePos(offset);
  return { file: source.file, line, column: col, path: '', message };
}

function sortProblems(problems: ConfigProblem[]): ConfigProblem[] {
  return problems.toSorted((a, b) => a.line - b.line || a.column - b.column);
}

function valueAt(root: unknown, path: ConfigPath): unknown {
  return path.reduce<unknown>(
    (node, segment) => (node as Record<PropertyKey, unknown> | undefined)?.[segment],
    root,
  );
}

function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;

  for (const child of Object.values(value)) deepFreeze(child);
  return Object.freeze(value);
}
