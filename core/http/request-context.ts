import { randomUUID } from 'node:crypto';
import { createMiddleware } from 'hono/factory';
import type { Logger } from '../log.ts';
import type { HubEnv } from './env.ts';

const requestIdPattern = /^[\w.-]{1,64}$/;

/** Gives each request an id (the caller's `X-Request-Id` when sane) and a child logger. */
export function requestContext(log: Logger) {
  return createMiddleware<HubEnv>(async (c, next) => {
    const offered = c.req.header('x-request-id');
    const requestId = offered && requestIdPattern.test(offered) ? offered : randomUUID();

    c.set('requestId', requestId);
    c.set('log', log.child({ requestId }));
    c.header('X-Request-Id', requestId);

    const started = performance.now();
    await next();

    c.get('log').debug(
      { method: c.req.method, route: c.req.routePath, status: c.res.status,
        ms: Math.round(performance.now() - started) },
      'request',
    );
  });
}
