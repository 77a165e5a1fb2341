import { createMiddleware } from 'hono/factory';
import type { AccountStore } from '../accounts/store.ts';
import { HubError } from '../errors.ts';
import type { Caller, HubEnv } from './env.ts';

/** Requires `Authorization: Bearer <key>` and records who is calling. */
export function authenticate(accounts: AccountStore) {
  return createMiddleware<HubEnv>(async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S{1,200})$/i.exec(header);
    if (!match) throw new HubError('unauthorized');

    const caller = await accounts.authenticate(match[1]);
    if (!caller) throw new HubError('unauthorized');

    c.set('caller', caller);
    c.set('log', c.get('log').child(logContext(caller)));
    await next();
  });
}

function logContext(caller: Caller): Record<string, string> {
  return caller.kind === 'admin' ? { caller: 'admin' } : { accountId: caller.accountId };
}

/**
 * An account key reaches only its own account. Anything else answers 404, as if it did not
 * exist, so that keys cannot probe for other accounts.
 */
export function scopeToAccount() {
  return createMiddleware<HubEnv>(async (c, next) => {
    const caller = c.get('caller');
    const accountId = c.req.param('accountId');

    if (caller.kind === 'account' && caller.accountId !== accountId) {
      throw new HubError('not_found');
    }
    await next();
  });
}

export function requireAdmin(caller: Caller): void {
  if (caller.kind !== 'admin') throw new HubError('forbidden', { message: 'Admin key required.' });
}
