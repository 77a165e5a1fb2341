import type { Hono } from 'hono';
import { HubError } from '../../../core/errors.ts';
import type { Logger } from '../../../core/log.ts';
import type { ChannelEvents, StatusUpdate } from '../../../core/plugins/channel.ts';
import { eventOutcome, mailEventSchema, sentMessageId } from './event-status.ts';
import {
  signatureHeader, timestampHeader, type EventVerifier, type SignatureCheck,
} from './signature.ts';

interface EventWebhookDeps {
  verify: EventVerifier;
  events: ChannelEvents;
  log: Logger;
}

const refusals: Record<Exclude<SignatureCheck, 'valid'>, string> = {
  missing: 'The Event Webhook signature headers are missing.',
  stale: 'The Event Webhook timestamp is too far from now.',
  invalid: 'The Event Webhook signature does not match.',
};

/**
 * `POST /events`: SendGrid's Event Webhook, a signed JSON array of events. Each event the hub
 * acts on becomes one queued status update, deduplicated by `sg_event_id`.
 * https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/event
 */
export function mountEventWebhook(app: Hono, deps: EventWebhookDeps): void {
  app.post('/events', async (c) => {
    // The signature covers the bytes as sent, so the body is read as text, not as JSON.
    const payload = await c.req.text();
    const signature = c.req.header(signatureHeader);
    const timestamp = c.req.header(timestampHeader);
    const check = deps.verify({ payload, signature, timestamp });
    if (check !== 'valid') {
      deps.log.warn({ check }, 'sendgrid event webhook refused');
      throw new HubError('forbidden', { message: refusals[check] });
    }

    const updates = readBatch(payload).flatMap((raw) => statusUpdate(raw, deps.log));
    await Promise.all(updates.map((update) => deps.events.status(update)));
    return c.body(null, 204);
  });
}

function readBatch(payload: string): unknown[] {
  let batch: unknown;
  try {
    batch = JSON.parse(payload);
  } catch (error) {
    throw new HubError('bad_request', { message: 'The body is not JSON.', cause: error });
  }
  if (!Array.isArray(batch)) {
    throw new HubError('bad_request', { message: 'Expected a JSON array of events.' });
  }
  return batch;
}

function statusUpdate(raw: unknown, log: Logger): StatusUpdate[] {
  const parsed = mailEventSchema.safeParse(raw);
  if (!parsed.success) {
    log.debug('sendgrid event skipped: not an event type the hub knows');
    return [];
  }

  // The Event Webhook reports all mail of the SendGrid account; mail the hub did not send has
  // none of its custom args.
  const event = parsed.data;
  const messageId = event.hub_message_id;
  if (!messageId) {
    log.debug({ event: event.event }, 'sendgrid event skipped: not sent by the hub');
    return [];
  }

  const outcome = eventOutcome(event);
  const eventId = event.sg_event_id;
  if (outcome.kind === 'ignored') {
    const { why } = outcome;
    log.debug({ event: event.event, why, messageId, eventId }, 'sendgrid event ignored');
    return [];
  }
  if (outcome.optOut) {
    log.info({ event: event.event, messageId, eventId }, 'sendgrid reports an opt-out');
  }

  return [{
    provider: 'sendgrid',
    providerId: sentMessageId(event.sg_message_id),
    status: outcome.status,
    reason: outcome.reason,
    eventId,
    optOut: outcome.optOut ? { detail: event.event } : undefined,
  }];
}
