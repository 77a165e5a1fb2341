import { configOption, parseOptions } from './command.ts';
import { openHub } from './open-hub.ts';

export async function run(args: string[]): Promise<number> {
  const { values } = parseOptions('migrate', args, configOption);

  const hub = await openHub(values.config);
  await hub.stop();
  process.stdout.write('The database and the job queue are up to date.\n');
  return 0;
}
