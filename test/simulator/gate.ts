import { setTimeout as sleep } from 'node:timers/promises';
import type { MiddlewareHandler } from 'hono';
import type { SimContext, SimEnv } from './context.ts';
import type { Faults } from './faults.ts';
import type { Provider } from './options.ts';
import { parseBody } from './parse-body.ts';
import { providerError } from './provider-errors.ts';

/** Answers with the provider's authentication error, or undefined when the caller may pass. */
export type Authorize = (request: Request) => Response | undefined;

/**
 * The front door of one provider's API: reads the body once, records the call, checks the
 * credentials, then applies any armed fault before the handler runs.
 */
export function providerGate(
  provider: Provider,
  ctx: SimContext,
  faults: Faults,
  authorize: Authorize,
): MiddlewareHandler<SimEnv> {
  return async (c, next) => {
    const body = await parseBody(c.req.raw);
    const record = ctx.recorder.record(provider, c.req.raw, body);
    c.set('body', body);
    c.set('record', record);

    const denied = authorize(c.req.raw);
    if (denied) {
      record.status = denied.status;
      return denied;
    }

    const fault = faults.take(provider, c.req.method, c.req.path);
    if (fault?.delayMs) await sleep(fault.delayMs);
    if (fault && (fault.status !== undefined || fault.code !== undefined)) {
      const response = providerError(provider, fault.status, fault.code, fault.message);
      record.status = response.status;
      record.fault = fault.label;
      return response;
    }

    await next();
    record.status = c.res.status;
  };
}

/** Checks `Authorization: Basic base64(user:password)`. */
export function hasBasicAuth(request: Request, user: string, password: string): boolean {
  const header = request.headers.get('authorization') ?? '';
  if (!header.startsWith('Basic ')) return false;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  return decoded === `${user}:${password}`;
}
