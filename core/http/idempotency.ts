import { createHash } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { createMiddleware } from 'hono/factory';
import type { Database } from '../db/client.ts';
import { idempotencyKeys } from '../db/schema.ts';
import { HubError } from '../errors.ts';
import type { HubEnv } from './env.ts';

const keyPattern = /^[\x21-\x7e]{1,255}$/;

/**
 * With an `Idempotency-Key` header, a repeated POST gets the first answer instead of doing the
 * work again. The key is claimed before the work starts, so two concurrent retries cannot both
 * run; a failure releases it so the caller may try again.
 */
export function idempotency(db: Database) {
  return createMiddleware<HubEnv>(async (c, next) => {
    const key = c.req.header('idempotency-key');
    if (c.req.method !== 'POST' || key === undefined) return next();
    if (!keyPattern.test(key)) {
      throw new HubError('bad_request', { message: 'Idempotency-Key must be 1-255 characters.' });
    }

    const accountId = c.req.param('accountId') ?? '';
    const requestHash = hashRequest(c.req.path, await c.req.text());
    const claimed = await db.insert(idempotencyKeys)
      .values({ accountId, key, requestHash })
      .onConflictDoNothing()
      .returning({ key: idempotencyKeys.key });
    if (claimed.length === 0) return replay(db, accountId, key, requestHash);

    const where = and(eq(idempotencyKeys.accountId, accountId), eq(idempotencyKeys.key, key));
    try {
      await next();
    } catch (error) {
      await db.delete(idempotencyKeys).where(where);
      throw error;
    }

    if (c.res.status >= 500 || c.error) {
      await db.delete(idempotencyKeys).where(where);
      return;
    }
    const response = await c.res.clone().json().catch(() => null);
    await db.update(idempotencyKeys).set({ status: c.res.status, response }).where(where);
  });
}

function hashRequest(path: string, body: string): string {
  return createHash('sha256').update(path).update('\n').update(body).digest('hex');
}

async function replay(db: Database, accountId: string, key: string, requestHash: string) {
  const [row] = await db.select().from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.accountId, accountId), eq(idempotencyKeys.key, key)));

  if (!row || row.requestHash !== requestHash) throw new HubError('idempotency_conflict');
  if (row.status === null) throw new HubError('idempotency_in_progress');

  return new Response(JSON.stringify(row.response), {
    status: row.status,
    headers: { 'content-type': 'application/json', 'idempotent-replayed': 'true' },
  });
}
