/** One thing wrong with the configuration, and where it is written. */
export interface ConfigProblem {
  /** The file as it was given to the loader, such as `config/hub.yaml`. */
  file: string;
  /** 1-based line of the setting, or of its nearest parent when the setting is missing. */
  line: number;
  /** 1-based column on that line. */
  column: number;
  /** The setting, such as `server.port` or `accounts[0].timeZone`; empty for syntax errors. */
  path: string;
  message: string;
}

/** Every problem as `file:line:column path: message`, one per line, as editors link them. */
export function formatProblems(problems: readonly ConfigProblem[]): string {
  return problems.map(formatProblem).join('\n');
}

function formatProblem(problem: ConfigProblem): string {
  const where = `${problem.file}:${problem.line}:${problem.column}`;
  const setting = problem.path ? ` ${problem.path}:` : '';
  return `${where}${setting} ${problem.message}`;
}

/** The configuration cannot be used. It lists every problem found, not just the first. */
export class ConfigError extends Error {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[], options: { cause?: unknown } = {}) {
    const count = problems.length === 1 ? 'a problem' : `${problems.length} problems`;
    const lines = formatProblems(problems).replaceAll(/^/gm, '  ');
    super(`The configuration has ${count}:\n${lines}`, options);
    this.name = 'ConfigError';
    this.problems = Object.freeze(problems.map((problem) => Object.freeze({ ...problem })));
  }
}
