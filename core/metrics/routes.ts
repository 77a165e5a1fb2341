import type { Handler, MiddlewareHandler } from 'hono';
import { HubError } from '../errors.ts';
import type { HubServices } from '../services.ts';
import { collectProcessMetrics, hubMetrics, metricsRegistry } from './hub-metrics.ts';
import { refreshQueueGauges } from './queue-gauges.ts';

/** `GET /metrics` in the Prometheus text format. */
export function serveMetrics(services: HubServices): Handler {
  collectProcessMetrics();

  return async (c) => {
    try {
      await refreshQueueGauges(services);
    } catch (error) {
      // The counters still tell what this process did; the queue gauges keep their last value.
      services.log.warn({ err: error }, 'queue metrics unavailable');
    }

    const body = await metricsRegistry.metrics();
    return c.body(body, 200, { 'content-type': metricsRegistry.contentType });
  };
}

/**
 * Counts provider webhooks answered with a 4xx: a bad signature, a malformed body, an unknown
 * path. The provider comes from the path, so only the providers the hub serves are named;
 * anything else under `/webhooks/` counts as `unknown`.
 */
export function countWebhookRejections(providers: ReadonlySet<string>): MiddlewareHandler {
  const count = (path: string, status: number) => {
    if (status < 400 || status >= 500) return;

    const named = path.split('/')[2] ?? '';
    const provider = providers.has(named) ? named : 'unknown';
    hubMetrics.webhookRejections.inc({ provider, status: String(status) });
  };

  return async (c, next) => {
    try {
      await next();
    } catch (error) {
      // A path no route matches is answered by throwing, past this middleware.
      count(c.req.path, error instanceof HubError ? error.status : 500);
      throw error;
    }
    count(c.req.path, c.res.status);
  };
}
