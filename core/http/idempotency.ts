import { createHash } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { createMiddleware } from 'hono/factory';
import type { Database } from '../db/client.ts';
import { idempotencyKeys } from '../db/schema.ts';
import { HubError } from '../errors.ts';
import type { Caller, HubEnv } from './env.ts';

const keyPattern = /^[\x21-\x7e]{1,255}$/;

/** Which record a request claims: the same key from another caller is another record. */
interface Claim {
  accountId: string;
  caller: string;
  key: string;
}

/**
 * With an `Idempotency-Key` header, a repeated POST gets the first answer instead of doing the
 * work again. The key is claimed before the work starts, so two concurrent retries cannot both
 * run; a failure releases it so the caller may try again.
 *
 * The answer is replayed here, before the route checks who may call it, so a record belongs
 * to the key that made the request: another key (an account key repeating the admin's key
 * and body) claims a record of its own and goes through the route like any first request.
 * Answers may carry secrets shown once (an issued key, a `whsec_` secret): they are kept
 * encrypted.
 */
export function idempotency(db: Database) {
  return createMiddleware<HubEnv>(async (c, next) => {
    const key = c.req.header('idempotency-key');
    if (c.req.method !== 'POST' || key === undefined) return next();
    if (!keyPattern.test(key)) {
      throw new HubError('bad_request', { message: 'Idempotency-Key must be 1-255 characters.' });
    }

    const claim = {
      accountId: c.req.param('accountId') ?? '', caller: callerId(c.get('caller')), key,
    };
    const requestHash = hashRequest(c.req.path, await c.req.text());
    const claimed = await db.insert(idempotencyKeys)
      .values({ ...claim, requestHash })
      .onConflictDoNothing()
      .returning({ key: idempotencyKeys.key });
    if (claimed.length === 0) return replay(db, claim, requestHash);

    try {
      await next();
    } catch (error) {
      await release(db, claim);
      throw error;
    }

    if (c.res.status >= 500 || c.error) {
      await release(db, claim);
      return;
    }
    const response = await c.res.clone().text();
    await db.update(idempotencyKeys).set({ status: c.res.status, response }).where(matching(claim));
  });
}

function callerId(caller: Caller): string {
  return caller.kind === 'admin' ? 'admin' : caller.keyId;
}

function matching(claim: Claim) {
  return and(
    eq(idempotencyKeys.accountId, claim.accountId),
    eq(idempotencyKeys.caller, claim.caller),
    eq(idempotencyKeys.key, claim.key),
  );
}

async function release(db: Database, claim: Claim): Promise<void> {
  await db.delete(idempotencyKeys).where(matching(claim));
}

function hashRequest(path: string, body: string): string {
  return createHash('sha256').update(path).update('\n').update(body).digest('hex');
}

async function replay(db: Database, claim: Claim, requestHash: string) {
  const [row] = await db.select().from(idempotencyKeys).where(matching(claim));

  if (!row || row.requestHash !== requestHash) throw new HubError('idempotency_conflict');
  if (row.status === null) throw new HubError('idempotency_in_progress');

  // An answer without a body (204) is replayed without one.
  const body = row.response || null;
  const headers: Record<string, string> = { 'idempotent-replayed': 'true' };
  if (body !== null) headers['content-type'] = 'application/json';
  return new Response(body, { status: row.status, headers });
}
