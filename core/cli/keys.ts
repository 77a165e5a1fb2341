import { configOption, CommandError, parseOptions, required } from './command.ts';
import { openHub } from './open-hub.ts';

export async function run(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  if (action !== 'create') {
    throw new CommandError(`unknown keys action "${action ?? ''}"; see hub keys --help`);
  }
  const { values } = parseOptions('keys', rest, {
    ...configOption, account: { type: 'string' }, label: { type: 'string' },
  });
  const accountId = required(values.account, 'account');

  const hub = await openHub(values.config);
  try {
    if (!await hub.services.accounts.find(accountId)) {
      throw new CommandError(`no account "${accountId}"`);
    }
    const issued = await hub.services.accounts.issueKey(accountId, values.label);
    process.stderr.write(`Key ${issued.id} for account ${accountId}; store it now, it is ` +
      'not shown again:\n');
    process.stdout.write(`${issued.key}\n`);
    return 0;
  } finally {
    await hub.stop();
  }
}
