import type { Sql } from '../db/client.ts';
import type { Logger } from '../log.ts';
import type { Keyring } from './keyring.ts';

/** Every encrypted column, by table, with the columns that identify a row. */
const encryptedColumns = [
  {
    table: 'recipients', key: ['id'],
    columns: ['first_name', 'last_name', 'phone', 'email', 'fax'],
  },
  { table: 'messages', key: ['id'], columns: ['data', 'content', 'address'] },
  { table: 'subjects', key: ['id'], columns: ['state'] },
  { table: 'attachments', key: ['message_id', 'position'], columns: ['filename', 'data', 'url'] },
  { table: 'idempotency_keys', key: ['account_id', 'caller', 'key'], columns: ['response'] },
] as const;

/** The address columns whose keyed hashes are kept beside them. */
const hashedColumns: Record<string, string> = {
  phone: 'phone_hash', email: 'email_hash', fax: 'fax_hash',
};

const batchSize = 500;

/**
 * Moves every encrypted value to the current key (and plain values left from before
 * encryption into encrypted form), and recomputes the address hashes under it. Safe to run
 * while the hub runs, and to run again: rows already under the current key are skipped.
 */
export async function reencryptAll(sql: Sql, keyring: Keyring, log: Logger): Promise<number> {
  let total = 0;
  for (const spec of encryptedColumns) {
    const count = await reencryptTable(sql, keyring, spec);
    log.info({ table: spec.table, rows: count }, 'rows re-encrypted');
    total += count;
  }

  // Nothing is left under the older keys, so a start without them is safe from now on.
  await sql`delete from encryption_keys where id <> ${keyring.current.id}`;
  return total;
}

async function reencryptTable(
  sql: Sql,
  keyring: Keyring,
  spec: (typeof encryptedColumns)[number],
): Promise<number> {
  const current = `enc1:${keyring.current.id}:%`;
  const stale = spec.columns
    .map((column) => `("${column}" is not null and "${column}" not like $1)`)
    .join(' or ');
  let count = 0;

  for (;;) {
    const rows = await sql.unsafe(
      `select ${[...spec.key, ...spec.columns].map((c) => `"${c}"`).join(', ')}
         from "${spec.table}" where ${stale} limit ${batchSize}`,
      [current],
    );
    if (rows.length === 0) return count;

    for (const row of rows) await rewriteRow(sql, keyring, spec, row);
    count += rows.length;
  }
}

async function rewriteRow(
  sql: Sql,
  keyring: Keyring,
  spec: (typeof encryptedColumns)[number],
  row: Record<string, unknown>,
): Promise<void> {
  const values: Record<string, string | null> = {};
  for (const column of spec.columns) {
    const stored = row[column] as string | null;
    if (stored === null) continue;

    const plain = keyring.decrypt(stored);
    values[column] = keyring.encrypt(plain);
    const hashColumn = spec.table === 'recipients' ? hashedColumns[column] : undefined;
    if (hashColumn) values[hashColumn] = keyring.hash(plain.toString('utf8'));
  }

  const assignments = Object.keys(values).map((column, i) => `"${column}" = $${i + 1}`);
  const offset = assignments.length;
  const where = spec.key.map((column, i) => `"${column}" = $${offset + i + 1}`).join(' and ');
  await sql.unsafe(
    `update "${spec.table}" set ${assignments.join(', ')} where ${where}`,
    [...Object.values(values), ...spec.key.map((column) => row[column] as string)],
  );
}
