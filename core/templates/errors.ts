import { HubError } from '../errors.ts';
import type { TemplateProblem } from './types.ts';

interface TemplateRenderErrorInit {
  file: string;
  line?: number;
  /** The dotted path of the missing value, when that is what failed. */
  variable?: string;
  /** What went wrong, without the file: `"appointment.time" not defined`. */
  reason: string;
  cause?: unknown;
}

/**
 * A template that exists but cannot be rendered with the data given. The message names the
 * file, the line and the variable, never a value from the data, so it is safe to log.
 */
export class TemplateRenderError extends HubError {
  readonly file: string;
  readonly line?: number;
  readonly variable?: string;
  readonly reason: string;

  constructor(init: TemplateRenderErrorInit) {
    const where = init.line ? `${init.file}:${init.line}` : init.file;
    const details = [{ path: init.variable && `data.${init.variable}`, message: init.reason }];
    super('template_error', { message: `${init.reason} in ${where}`, details, cause: init.cause });
    this.name = 'TemplateRenderError';
    this.file = init.file;
    this.line = init.line;
    this.variable = init.variable;
    this.reason = init.reason;
  }
}

/** `file:line: message`, the form editors and terminals turn into a link. */
export function formatProblem(problem: TemplateProblem): string {
  if (!problem.file) return problem.message;

  const where = problem.line ? `${problem.file}:${problem.line}` : problem.file;
  return `${where}: ${problem.message}`;
}

/** Collects problems once each: the same fault is often met by several languages or modes. */
export class ProblemList {
  readonly #seen = new Map<string, TemplateProblem>();

  add(problem: TemplateProblem): void {
    const key = formatProblem(problem);
    if (!this.#seen.has(key)) this.#seen.set(key, problem);
  }

  get items(): TemplateProblem[] {
    return [...this.#seen.values()];
  }
}
