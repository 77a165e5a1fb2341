import { ConfigError } from '../config/errors.ts';
import { HubError, StartupError } from '../errors.ts';
import { CommandError, type CommandModule } from './command.ts';
import { commandHelp } from './help.ts';

interface CommandEntry {
  name: keyof typeof commandHelp;
  /** One line for the list of commands. */
  summary: string;
  /** Loaded when the command runs, so that help and mistakes answer at once. */
  load(): Promise<CommandModule>;
}

const commands: CommandEntry[] = [
  { name: 'start', summary: 'start the hub (what npm start runs)',
    load: () => import('./start.ts') },
  { name: 'check', summary: 'check the config and every template before a deploy',
    load: () => import('./check.ts') },
  { name: 'preview', summary: 'render a template with sample or given data',
    load: () => import('./preview.ts') },
  { name: 'send', summary: 'send a test message through the running configuration',
    load: () => import('./send.ts') },
  { name: 'migrate', summary: 'bring the database and the job queue up to this version',
    load: () => import('./migrate.ts') },
  { name: 'reencrypt', summary: 'move all patient data to the current encryption key',
    load: () => import('./reencrypt.ts') },
  { name: 'keys', summary: 'issue an API key for an account',
    load: () => import('./keys.ts') },
  { name: 'accounts', summary: 'list the accounts (practices)',
    load: () => import('./accounts.ts') },
  { name: 'docs', summary: 'write the configuration and template references',
    load: () => import('./docs.ts') },
];

const overview = `Usage: hub <command> [options]

Commands:
${commands.map((command) => `  ${command.name.padEnd(11)}${command.summary}`).join('\n')}
  help       show this help, or a command's: hub help <command>

Every command takes --config <file> (default: config/hub.yaml) and --help.
Run with --debug to see where an unexpected error came from.
`;

/** Runs `hub` with its arguments and returns the exit code. */
export async function runCli(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug');
  const [name, ...args] = argv.filter((arg) => arg !== '--debug');

  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    return showHelp(args[0]);
  }
  const command = commands.find((candidate) => candidate.name === name);
  if (!command) return fail(`unknown command "${name}"; run hub help to list them`);
  if (args.includes('--help') || args.includes('-h')) return showHelp(name);

  try {
    return await (await command.load()).run(args);
  } catch (error) {
    return fail(describeError(error), debug ? error : undefined);
  }
}

function showHelp(name: string | undefined): number {
  if (name === undefined) {
    process.stdout.write(overview);
    return 0;
  }

  const command = commands.find((candidate) => candidate.name === name);
  if (!command) return fail(`unknown command "${name}"; run hub help to list them`);
  process.stdout.write(commandHelp[command.name]);
  return 0;
}

/**
 * The hub's own errors already say what is wrong and where (a config problem lists each
 * file and line); anything else is told by its message, on one line.
 */
function describeError(error: unknown): string {
  const known = error instanceof CommandError || error instanceof ConfigError
    || error instanceof StartupError || error instanceof HubError;
  if (known) return error.message;

  if (error instanceof AggregateError && error.errors.length > 0) {
    return describeError(error.errors[0]);
  }
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message = error.message.split('\n')[0] || error.name;
    return code && !message.includes(code) ? `${message} (${code})` : message;
  }
  return String(error);
}

function fail(message: string, error?: unknown): number {
  process.stderr.write(`hub: ${message}\n`);
  if (error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  return 2;
}
