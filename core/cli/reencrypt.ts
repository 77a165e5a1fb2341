import { reencryptAll } from '../encryption/reencrypt.ts';
import { configOption, parseOptions } from './command.ts';
import { openHub } from './open-hub.ts';

export async function run(args: string[]): Promise<number> {
  const { values } = parseOptions('reencrypt', args, configOption);

  const hub = await openHub(values.config);
  try {
    const { sql } = hub.services.database;
    const rows = await reencryptAll(sql, hub.keyring, hub.services.log);
    const key = hub.keyring.current.id;
    process.stdout.write(`${rows} rows re-encrypted; everything is under key "${key}".\n`);
    return 0;
  } finally {
    await hub.stop();
  }
}
