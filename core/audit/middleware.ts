import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { matchedRoutes } from 'hono/route';
import { HubError } from '../errors.ts';
import type { HubEnv } from '../http/env.ts';
import { auditAction } from './actions.ts';
import type { AuditLog, NewAuditRecord } from './store.ts';

const accountPrefix = '/v1/accounts/:accountId';

/**
 * Records every request to an account route once the answer is known, refusals included: a
 * key that reaches for another account is recorded in its own account's log, with the
 * account it reached for. Requests that match no route reached nothing and are not recorded.
 *
 * Each request waits for its own insert, about a millisecond: rows gathered and written in
 * batches would save that wait but could be lost in a crash after the data went out. A
 * request whose row cannot be written is answered 503, so that nothing leaves the hub
 * without a record; a write it made stands, and a retry with the same `Idempotency-Key`
 * answers as the first time did.
 */
export function auditRequests(auditLog: AuditLog) {
  return createMiddleware<HubEnv>(async (c, next) => {
    const route = handlerRoute(c);
    if (!route) return next();

    await next();

    const entry = await auditEntry(c, route);
    try {
      await auditLog.record(entry);
    } catch (error) {
      c.get('log').error({ err: error, action: entry.action }, 'audit record failed');
      throw new HubError('unavailable', { cause: error });
    }
  });
}

/** The route that answers the request, skipping the middleware that also matched it. */
function handlerRoute(c: Context<HubEnv>) {
  return matchedRoutes(c).findLast((route) => route.method !== 'ALL');
}

async function auditEntry(
  c: Context<HubEnv>,
  route: { method: string; path: string },
): Promise<NewAuditRecord> {
  const caller = c.get('caller');
  const target = clean(c.req.param('accountId') ?? '', 64);
  const created = await createdId(c, route.method);

  return {
    accountId: caller.kind === 'account' ? caller.accountId : target,
    targetAccountId: target,
    keyId: caller.kind === 'account' ? caller.keyId : 'admin',
    action: auditAction(route.method, route.path),
    subject: subjectOf(c.req.url, route.path, created),
    route: `${route.method} ${route.path}`,
    status: c.res.status,
    requestId: c.get('requestId'),
  };
}

/**
 * What the request reached, as the route's path inside the account with the request's
 * values: `/v1/accounts/:accountId/messages/:messageId` gives `messages/<id>`.
 */
function subjectOf(url: string, pattern: string, created?: string): string | null {
  const patternSegments = pattern.slice(accountPrefix.length).split('/').filter(Boolean);
  const pathSegments = new URL(url).pathname.split('/').slice(4);

  const segments = patternSegments.map((segment, index) =>
    segment.startsWith(':') ? decodeSegment(pathSegments[index] ?? '') : segment);
  if (created) segments.push(created);
  return segments.length === 0 ? null : clean(segments.join('/'), 400);
}

/** The id of what a successful POST created, which its answer carries. */
async function createdId(c: Context<HubEnv>, method: string): Promise<string | undefined> {
  if (method !== 'POST' || c.res.status >= 300) return undefined;

  const body: unknown = await c.res.clone().json().catch(() => undefined);
  const id = (body as { id?: unknown } | undefined)?.id;
  return typeof id === 'string' ? clean(id, 100) : undefined;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Keeps a value the caller chose short and storable: no control characters. */
function clean(value: string, maxLength: number): string {
  return value.replace(/\p{Cc}/gu, '?').slice(0, maxLength);
}
