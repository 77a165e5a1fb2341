import { configOption, parseOptions } from './command.ts';
import { openHub } from './open-hub.ts';

export const help = `Usage: hub migrate [--config file]

Applies the database migrations this version has and installs or updates the job queue's
tables, then exits. The hub does the same at every start, several processes at once if need
be; running it as a release step lets the new version start on a ready database.

Options:
  --config <file>   the configuration file (default: config/hub.yaml)
`;

export async function run(args: string[]): Promise<number> {
  const { values } = parseOptions('migrate', args, configOption);

  const hub = await openHub(values.config);
  await hub.stop();
  process.stdout.write('The database and the job queue are up to date.\n');
  return 0;
}
