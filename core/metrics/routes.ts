import type { Handler, MiddlewareHandler } from 'hono';
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
  return async (c, next) => {
    await next();

    const { status } = c.res;
    if (status < 400 || status >= 500) return;

    const named = c.req.path.split('/')[2] ?? '';
    const provider = providers.has(named) ? named : 'unknown';
    hubMetrics.webhookRejections.inc({ provider, status: String(status) });
  };
}
