import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';

/** What a command's module exports: what the command does. */
export interface CommandModule {
  /** Returns the exit code: 0 done, 1 done but something was found wrong. */
  run(args: string[]): Promise<number>;
}

/**
 * What a user got wrong, or what stopped the command: shown as one `hub: …` line, with exit
 * code 2.
 */
export class CommandError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'CommandError';
  }
}

/** Every command takes the config file to use. */
export const configOption = { config: { type: 'string' } } as const;

/**
 * Parses a command's options strictly, turning Node's parse errors into one line that names
 * the command's help.
 */
export function parseOptions<T extends ParseArgsOptionsConfig>(
  command: string,
  args: string[],
  options: T,
  positionals: { min: number; max: number } = { min: 0, max: 0 },
) {
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: positionals.max > 0, strict: true });
  } catch (error) {
    throw new CommandError(`${describeParseError(error)}; see hub ${command} --help`);
  }

  const count = parsed.positionals.length;
  if (count < positionals.min || count > positionals.max) {
    const expected = positionals.min === positionals.max ? positionals.min : 'a different number';
    const message = `expected ${expected} argument(s), got ${count}`;
    throw new CommandError(`${message}; see hub ${command} --help`);
  }
  return parsed;
}

/** Reads a required option, or says which one is missing. */
export function required<T>(value: T | undefined, option: string): T {
  if (value === undefined || value === '') throw new CommandError(`--${option} is required`);
  return value;
}

function describeParseError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (unknown) return `unknown option ${unknown[1]}`;

  const missing = /Option '([^' ]+)[^']*' argument missing/.exec(message);
  if (missing) return `${missing[1]} needs a value`;

  const unexpected = /Unexpected argument '([^']+)'/.exec(message);
  if (unexpected) return `unexpected argument "${unexpected[1]}"`;
  return message.split('\n')[0];
}
