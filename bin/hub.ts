#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { ConfigError } from '../core/config/load.ts';
import { StartupError } from '../core/errors.ts';
import { startHub, type Role } from '../core/hub.ts';

const usage = `Usage: hub <command> [options]

Commands:
  start [--role api|worker|all] [--config file]   start the hub
  help                                            show this help
`;

const roles: Role[] = ['api', 'worker', 'all'];

async function main(argv: string[]): Promise<number> {
  const [command = 'help', ...rest] = argv;
  if (command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(usage);
    return 0;
  }
  if (command === 'start') return start(rest);

  process.stderr.write(`hub: unknown command "${command}"\n${usage}`);
  return 2;
}

async function start(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { role: { type: 'string' }, config: { type: 'string' } },
  });
  if (values.role && !roles.includes(values.role as Role)) {
    process.stderr.write(`hub: --role must be one of ${roles.join(', ')}\n`);
    return 2;
  }

  const hub = await startHub({ role: values.role as Role | undefined, configFile: values.config });
  announce(hub.url, hub.adminKey);

  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await hub.stop();
  return 0;
}

/** The quick start's user needs to know where the hub is and which key opens it. */
function announce(url: string | undefined, adminKey: string): void {
  const lines = url
    ? [`Messaging hub listening on ${url}`, `API docs: ${url}/docs`, `Admin key: ${adminKey}`]
    : ['Messaging hub worker running'];
  process.stderr.write(`\n${lines.map((line) => `  ${line}`).join('\n')}\n\n`);
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (error: unknown) => {
    const known = error instanceof StartupError || error instanceof ConfigError;
    process.stderr.write(`hub: ${known ? (error as Error).message : String(error)}\n`);
    if (!known && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    process.exitCode = 2;
  },
);
