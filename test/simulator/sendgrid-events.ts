import { randomBytes } from 'node:crypto';
import type { SimContext } from './context.ts';
import { eventWebhookSignature, type EventWebhookKeys } from './signing.ts';
import type { WebhookReply } from './webhooks.ts';

export type MailEventType =
  | 'processed'
  | 'deferred'
  | 'delivered'
  | 'bounce'
  | 'dropped'
  | 'open'
  | 'click'
  | 'spamreport'
  | 'unsubscribe'
  | 'group_unsubscribe'
  | 'group_resubscribe';

/** One recipient of an accepted send; each gets its own events. */
export interface MailRecipient {
  email: string;
  /** Top-level `custom_args` overlaid with the personalization's own. */
  customArgs: Record<string, string>;
}

export interface StoredMail {
  /** The `X-Message-Id` of the send. */
  messageId: string;
  request: Record<string, unknown>;
  recipients: MailRecipient[];
  categories: string[];
  sandbox: boolean;
}

export type MailEvent = Record<string, unknown> & { event: MailEventType; email: string };

// Typical fields of each event type, from SendGrid's Event Webhook reference; tests override them.
function typicalFields(event: MailEventType): Record<string, unknown> {
  switch (event) {
    case 'deferred':
      return { response: '451 4.7.1 Please try again later', attempt: '1' };
    case 'delivered':
      return { response: '250 2.0.0 OK', ip: '192.0.2.10', tls: 1 };
    case 'bounce':
      return {
        type: 'bounce',
        status: '5.1.1',
        reason: '550 5.1.1 The email account that you tried to reach does not exist.',
        bounce_classification: 'Invalid Address',
        ip: '192.0.2.10',
        tls: 1,
      };
    case 'dropped':
      return { reason: 'Bounced Address', status: '5.0.0' };
    case 'open':
      return { useragent: 'Mozilla/5.0', ip: '198.51.100.7', sg_machine_open: false };
    case 'click':
      return { url: 'https://example.org/', useragent: 'Mozilla/5.0', ip: '198.51.100.7' };
    case 'processed':
    case 'spamreport':
    case 'unsubscribe':
    case 'group_unsubscribe':
    case 'group_resubscribe':
      return {};
  }
}

/**
 * One event as SendGrid posts it: the recipient's custom args as top-level fields, then the
 * standard fields, whose names win. `sg_message_id` starts with the send's `X-Message-Id`.
 */
export function buildEvent(
  mail: StoredMail,
  recipient: MailRecipient,
  event: MailEventType,
  fields: Record<string, unknown> = {},
): MailEvent {
  const filter = `filter0001p1mdw1-${randomBytes(3).toString('hex')}-0`;
  const standard: Record<string, unknown> = {
    email: recipient.email,
    timestamp: Math.floor(Date.now() / 1000),
    event,
    sg_event_id: randomBytes(16).toString('base64url'),
    sg_message_id: `${mail.messageId}.${filter}`,
    'smtp-id': `<${mail.messageId}@ismtpd0001p1mdw1.sendgrid.net>`,
  };
  if (mail.categories.length > 0) standard.category = mail.categories;
  return {
    ...recipient.customArgs,
    ...standard,
    ...typicalFields(event),
    ...fields,
  } as MailEvent;
}

/**
 * Posts a batch to the Event Webhook, signed as SendGrid signs it: the timestamp header
 * followed by the exact body, ECDSA P-256.
 */
export async function postEvents(
  ctx: SimContext,
  keys: EventWebhookKeys,
  events: object[],
): Promise<WebhookReply> {
  const url = ctx.urls.sendgridEvents;
  if (!url) throw new Error('No Event Webhook URL: set webhookUrls.sendgridEvents');

  const body = JSON.stringify(events);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = eventWebhookSignature(keys.privateKey, timestamp, body);
  const headers = {
    'Content-Type': 'application/json',
    'User-Agent': 'SendGrid Event API',
    'X-Twilio-Email-Event-Webhook-Signature': signature,
    'X-Twilio-Email-Event-Webhook-Timestamp': timestamp,
  };
  const payload = events;
  return ctx.webhooks.send({ provider: 'sendgrid', kind: 'events', url, headers, body, payload });
}
