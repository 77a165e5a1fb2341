import type Handlebars from 'handlebars';

import { builtInHelpers, findCallProblem, hubHelpers, notYetKnown } from './helpers.ts';

/** A variable a template reads, kept to name the missing one when a render fails. */
export interface PathUse {
  original: string;
  parts: string[];
  line: number;
}

/** A problem in one program (a body, a subject or a partial); lines count from its start. */
export interface SourceProblem {
  line?: number;
  message: string;
}

export interface AnalyzedSource {
  ast: hbs.AST.Program;
  paths: PathUse[];
}

type Call = hbs.AST.MustacheStatement | hbs.AST.BlockStatement | hbs.AST.SubExpression;

type PartialCall = hbs.AST.PartialStatement | hbs.AST.PartialBlockStatement;

/** The compiler reads this flag to decide whether a missing value throws. */
type StrictablePath = hbs.AST.PathExpression & { strict?: boolean };

interface Walk {
  partials: ReadonlySet<string>;
  paths: PathUse[];
  problems: SourceProblem[];
}

/** `{{#if}}` and `{{#unless}}` test whether a value is there, so it may be absent. */
const presenceTests = new Set(['if', 'unless']);

/**
 * Parses a program and checks what Handlebars would only find while rendering: unknown
 * helpers and partials, helper calls with the wrong arguments. It also marks every value
 * passed to a helper as strict, because Handlebars' strict mode covers only `{{value}}`
 * and would otherwise hand `undefined` to `{{date appointment.start}}` without a word.
 */
export function analyzeSource(
  env: typeof Handlebars,
  source: string,
  partials: ReadonlySet<string>,
): { analyzed?: AnalyzedSource; problems: SourceProblem[] } {
  let ast: hbs.AST.Program;
  try {
    ast = env.parse(source);
  } catch (error) {
    return { problems: [describeHandlebarsError(error)] };
  }

  const walk: Walk = { partials, paths: [], problems: [] };
  visitProgram(ast, walk);
  if (walk.problems.length > 0) return { problems: walk.problems };
  return { analyzed: { ast, paths: walk.paths }, problems: [] };
}

/** Turns a Handlebars parse or compile error into a line and a readable message. */
export function describeHandlebarsError(error: unknown): SourceProblem {
  const message = error instanceof Error ? error.message : String(error);

  const parse = /^(?:Parse|Lexical) error on line (\d+)[:.]/.exec(message);
  if (parse) return { line: Number(parse[1]), message: summariseParseError(message) };

  const lineNumber = (error as { lineNumber?: unknown }).lineNumber;
  const line = typeof lineNumber === 'number' ? lineNumber : undefined;
  return { line, message: message.replace(/ - \d+:\d+$/, '') };
}

const tokenNames: Record<string, string> = {
  EOF: 'the end of the file (a block or tag is not closed)',
  CLOSE: '"}}"',
  OPEN_ENDBLOCK: 'a closing "{{/...}}"',
  INVALID: 'text Handlebars cannot read',
};

/** Handlebars' parser reports the grammar tokens it expected; only what it met is useful. */
function summariseParseError(message: string): string {
  const [, excerpt = '', , expectation = ''] = message.split('\n');
  const got = /got '([A-Z_]+)'/.exec(expectation)?.[1];
  const found = got ? (tokenNames[got] ?? got) : 'something unexpected';
  return `syntax error near "${excerpt.trim()}": found ${found}`;
}

function visitProgram(program: hbs.AST.Program | undefined, walk: Walk): void {
  for (const node of program?.body ?? []) visitStatement(node, walk);
}

function visitStatement(node: hbs.AST.Statement, walk: Walk): void {
  switch (node.type) {
    case 'MustacheStatement':
      visitCall(node as hbs.AST.MustacheStatement, walk);
      return;

    case 'BlockStatement': {
      const block = node as hbs.AST.BlockStatement;
      visitCall(block, walk);
      visitProgram(block.program, walk);
      visitProgram(block.inverse, walk);
      return;
    }

    case 'PartialStatement':
    case 'PartialBlockStatement':
      visitPartial(node as PartialCall, walk);
      return;

    case 'Decorator':
    case 'DecoratorBlock':
      walk.problems.push({ line: node.loc.start.line, message: 'decorators are not supported' });
      return;
  }
}

function visitCall(node: Call, walk: Walk): void {
  if (node.path.type !== 'PathExpression') return;

  const hash = node.hash?.pairs ?? [];
  const isCall = node.type === 'SubExpression' || node.params.length > 0 || hash.length > 0;
  const path = node.path as hbs.AST.PathExpression;
  const name = path.parts.length === 1 && !path.data && path.depth === 0 ? path.parts[0] : '';
  const spec = Object.hasOwn(hubHelpers, name) ? hubHelpers[name] : undefined;

  // `{{value}}` with nothing after it is a lookup, unless the name is a helper's.
  if (!isCall && !spec && !builtInHelpers.has(name)) {
    recordPath(path, walk);
    return;
  }

  const line = node.loc.start.line;
  if (!spec && !builtInHelpers.has(name)) {
    walk.problems.push({ line, message: `unknown helper "${path.original}"` });
    return;
  }

  if (spec) {
    const shown = Object.fromEntries(hash.map((pair) => [pair.key, literalValue(pair.value)]));
    const problem = findCallProblem(spec, node.params.length, shown);
    if (problem) walk.problems.push({ line, message: `{{${name}}} ${problem}` });
  }

  const strict = !presenceTests.has(name);
  for (const param of node.params) visitExpression(param, strict, walk);
  for (const pair of hash) visitExpression(pair.value, true, walk);
}

function visitPartial(node: PartialCall, walk: Walk): void {
  if (node.name.type === 'SubExpression') {
    visitCall(node.name as hbs.AST.SubExpression, walk);
  } else {
    const name = (node.name as hbs.AST.PathExpression).original;
    const hasFallback = node.type === 'PartialBlockStatement';
    if (!name.startsWith('@') && !hasFallback && !walk.partials.has(name)) {
      walk.problems.push({ line: node.loc.start.line, message: `unknown partial "${name}"` });
    }
  }

  for (const param of node.params) visitExpression(param, true, walk);
  for (const pair of node.hash?.pairs ?? []) visitExpression(pair.value, true, walk);
  if (node.type === 'PartialBlockStatement') visitProgram(node.program, walk);
}

function visitExpression(node: hbs.AST.Expression, strict: boolean, walk: Walk): void {
  if (node.type === 'SubExpression') {
    visitCall(node as hbs.AST.SubExpression, walk);
    return;
  }
  if (node.type !== 'PathExpression') return;

  const path = node as StrictablePath;
  if (strict) path.strict = true;
  recordPath(path, walk);
}

function recordPath(path: hbs.AST.PathExpression, walk: Walk): void {
  const { original, parts } = path;
  walk.paths.push({ original, parts, line: path.loc.start.line });
}

function literalValue(node: hbs.AST.Expression): unknown {
  switch (node.type) {
    case 'StringLiteral':
    case 'NumberLiteral':
    case 'BooleanLiteral':
      return (node as hbs.AST.StringLiteral).value;
    case 'NullLiteral':
      return null;
    case 'UndefinedLiteral':
      return undefined;
    default:
      return notYetKnown;
  }
}
