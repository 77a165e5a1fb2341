import type { Account } from '../accounts/store.ts';
import { CommandError, configOption, parseOptions } from './command.ts';
import { openHub } from './open-hub.ts';

export async function run(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  if (action !== 'list') {
    throw new CommandError(`unknown accounts action "${action ?? ''}"; see hub accounts --help`);
  }
  const options = { ...configOption, json: { type: 'boolean' } } as const;
  const { values } = parseOptions('accounts', rest, options);

  const hub = await openHub(values.config);
  try {
    const list = await hub.services.accounts.list();
    process.stdout.write(values.json ? `${JSON.stringify(list, null, 2)}\n` : table(list));
    return 0;
  } finally {
    await hub.stop();
  }
}

function table(list: Account[]): string {
  if (list.length === 0) return 'No accounts yet: create one with POST /v1/accounts.\n';

  const rows = [
    ['ID', 'NAME', 'MESSAGING', 'CREATED'],
    ...list.map((account) => [
      account.id,
      account.name,
      account.settings.messagingEnabled ? 'on' : 'off',
      account.createdAt.toISOString().slice(0, 10),
    ]),
  ];
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  const lines = rows.map((row) =>
    row.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd());
  return `${lines.join('\n')}\n`;
}
