import type Handlebars from 'handlebars';

import { analyzeSource, describeHandlebarsError, type PathUse } from './analyze.ts';
import { tagErrorOrigin } from './diagnose.ts';
import type { TemplateProblem } from './types.ts';

/** One compiled program: an email subject, a template body or a partial. */
export interface CompiledPart {
  file: string;
  /** File lines before the program's first line (the front matter, for a body). */
  lineOffset: number;
  paths: PathUse[];
  render: Handlebars.TemplateDelegate;
}

export interface PartSource {
  file: string;
  source: string;
  lineOffset: number;
  /** HTML-escape `{{value}}`: for HTML output only, or a patient would read `&amp;`. */
  escape: boolean;
}

export type PartialSet = Record<string, Handlebars.TemplateDelegate>;

interface Compiled {
  part?: CompiledPart;
  problems: TemplateProblem[];
}

/** Analyses and compiles a program now, so that no render ever pays for compiling. */
export function compilePart(
  env: typeof Handlebars,
  input: PartSource,
  partialNames: ReadonlySet<string>,
): Compiled {
  const { file, lineOffset } = input;
  const inFile = (line?: number) => (line === undefined ? undefined : line + lineOffset);

  const { analyzed, problems } = analyzeSource(env, input.source, partialNames);
  if (!analyzed) {
    return { problems: problems.map((p) => ({ file, line: inFile(p.line), message: p.message })) };
  }

  try {
    const render = compileNow(env, analyzed.ast, input.escape);
    return { part: { file, lineOffset, paths: analyzed.paths, render }, problems: [] };
  } catch (error) {
    const problem = describeHandlebarsError(error);
    return { problems: [{ file, line: inFile(problem.line), message: problem.message }] };
  }
}

/**
 * Partials are compiled once per escaping mode, because escaping is decided when a program is
 * compiled, not when it runs. Each is wrapped so that an error inside it is reported against
 * the partial's file rather than the template that included it.
 */
export function compilePartials(
  env: typeof Handlebars,
  files: Array<{ name: string; file: string; source: string }>,
  escape: boolean,
): { partials: PartialSet; problems: TemplateProblem[] } {
  const names = new Set(files.map((partial) => partial.name));
  const partials: PartialSet = {};
  const problems: TemplateProblem[] = [];

  for (const { name, file, source } of files) {
    const compiled = compilePart(env, { file, source, lineOffset: 0, escape }, names);
    problems.push(...compiled.problems);
    if (compiled.part) partials[name] = tagErrors(compiled.part);
  }
  return { partials, problems };
}

function tagErrors(part: CompiledPart): Handlebars.TemplateDelegate {
  return (context, options) => {
    try {
      return part.render(context, options);
    } catch (error) {
      tagErrorOrigin(error, part);
      throw error;
    }
  };
}

/**
 * `compile` only wraps the source and compiles on the first call. Its `_setup` hook (what
 * every call runs first) compiles without rendering, so faults surface at load instead.
 */
function compileNow(
  env: typeof Handlebars,
  ast: hbs.AST.Program,
  escape: boolean,
): Handlebars.TemplateDelegate {
  const render = env.compile(ast, { strict: true, noEscape: !escape });
  (render as unknown as { _setup(options: object): void })._setup({});
  return render;
}
