import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The Prometheus registry of this process. A process is one scrape target, whatever hubs it
 * runs, so the registry is the process's, like the provider SDKs' connection pools.
 *
 * Labels hold only ids from bounded sets (channel and trigger ids, providers, statuses,
 * reason codes, queue names, event types), never an account, a recipient, an address or a
 * message: those would be patient data, and unbounded.
 */
export const metricsRegistry = new Registry();

const registers = [metricsRegistry];

// Sends take milliseconds to a provider, but a due message may wait for a worker, a retry
// or a rate limit, so the buckets run from a tenth of a second to an hour.
const sendBuckets = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];
const providerBuckets = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export const hubMetrics = {
  messages: new Counter({
    name: 'hub_messages_total',
    help: 'Messages that reached a status (final: delivered, failed, cancelled, expired, '
      + 'suppressed), by channel, trigger and reason code.',
    labelNames: ['channel', 'trigger', 'status', 'reason'] as const,
    registers,
  }),
  sendLatency: new Histogram({
    name: 'hub_send_latency_seconds',
    help: 'Time from the moment a message was due to its provider accepting it.',
    labelNames: ['channel'] as const,
    buckets: sendBuckets,
    registers,
  }),
  providerLatency: new Histogram({
    name: 'hub_provider_request_seconds',
    help: 'Duration of send requests to providers, by outcome (ok, error).',
    labelNames: ['channel', 'provider', 'outcome'] as const,
    buckets: providerBuckets,
    registers,
  }),
  queueDepth: new Gauge({
    name: 'hub_queue_depth',
    help: 'Jobs due and waiting for a worker, per queue.',
    labelNames: ['queue'] as const,
    registers,
  }),
  queueScheduled: new Gauge({
    name: 'hub_queue_scheduled_jobs',
    help: 'Jobs waiting for a later time (a send time, a retry), per queue.',
    labelNames: ['queue'] as const,
    registers,
  }),
  queueActive: new Gauge({
    name: 'hub_queue_active_jobs',
    help: 'Jobs a worker is running, per queue.',
    labelNames: ['queue'] as const,
    registers,
  }),
  queueOldestDue: new Gauge({
    name: 'hub_queue_oldest_due_seconds',
    help: 'How long the oldest job that is due has waited for a worker, per queue; 0 when none.',
    labelNames: ['queue'] as const,
    registers,
  }),
  callbackDeliveries: new Counter({
    name: 'hub_callback_deliveries_total',
    help: 'Attempts to deliver a callback to a host, by event type and outcome (delivered; '
      + 'retry, failed for good, or gone: the host answered 410 and the endpoint is disabled).',
    labelNames: ['type', 'outcome'] as const,
    registers,
  }),
  creditReservations: new Counter({
    name: 'hub_credit_reservations_total',
    help: 'Credit reservations of priced messages, by channel and outcome (reserved at dispatch '
      + 'or by the top-up that released a held message, or held for want of credit).',
    labelNames: ['channel', 'outcome'] as const,
    registers,
  }),
  webhookRejections: new Counter({
    name: 'hub_webhook_rejections_total',
    help: 'Provider webhooks refused (bad signature, malformed), by provider and HTTP status.',
    labelNames: ['provider', 'status'] as const,
    registers,
  }),
  reloads: new Counter({
    name: 'hub_reloads_total',
    help: 'Live reloads of the config or the templates, by what and outcome '
      + '(applied, refused).',
    labelNames: ['what', 'outcome'] as const,
    registers,
  }),
};

/** Outcomes a callback delivery attempt ends in, for `hubMetrics.callbackDeliveries`. */
export type CallbackOutcome = 'delivered' | 'retry' | 'failed' | 'gone';

/** Outcomes of a credit reservation, for `hubMetrics.creditReservations`. */
export type ReservationOutcome = 'reserved' | 'held';

let processMetrics = false;

/**
 * Adds the runtime's own metrics (memory, CPU, event loop) once per process. A runtime that
 * lacks one of the probes prom-client uses still serves the hub's metrics.
 */
export function collectProcessMetrics(): void {
  if (processMetrics) return;
  processMetrics = true;

  try {
    collectDefaultMetrics({ register: metricsRegistry });
  } catch {
    // Bun does not implement every perf_hooks probe; the hub's own metrics are what matter.
  }
}
