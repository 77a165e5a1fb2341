import { randomBytes } from 'node:crypto';
import type { SimApp, SimContext } from './context.ts';
import type { Authorize } from './gate.ts';
import { sendgridError } from './provider-errors.ts';
import {
  buildEvent,
  postEvents,
  type MailEvent,
  type MailEventType,
  type MailRecipient,
  type StoredMail,
} from './sendgrid-events.ts';
import { sendInboundEmail, type InboundEmail } from './sendgrid-inbound.ts';
import { validateMail } from './sendgrid-validate.ts';
import { eventWebhookKeys, type EventWebhookKeys } from './signing.ts';
import type { WebhookReply } from './webhooks.ts';

/** How the simulated mailbox provider treats mail to one address. */
export interface MailboxBehavior {
  /**
   * `delivered` (the default), `bounce` (hard, then suppressed), `blocked` (a soft bounce),
   * `dropped` (never attempted) or `deferred` (a temporary failure, then delivered).
   */
  outcome?: 'delivered' | 'bounce' | 'blocked' | 'dropped' | 'deferred';
  /** Overrides the event's `reason`. */
  reason?: string;
  /** What the recipient does after delivery. */
  then?: 'open' | 'click' | 'spamreport' | 'unsubscribe';
}

export interface EventRequest {
  event: MailEventType;
  /** Which recipient of the send; defaults to the first. */
  email?: string;
  /** Fields that replace or add to the typical ones. */
  fields?: Record<string, unknown>;
}

type Json = Record<string, unknown>;

// Addresses SendGrid puts on a suppression list drop later sends, with these reasons.
const suppressionReasons: Partial<Record<MailEventType, string>> = {
  bounce: 'Bounced Address',
  unsubscribe: 'Unsubscribed Address',
  spamreport: 'Spam Reporting Address',
};

export class SendGridMail {
  readonly mails = new Map<string, StoredMail>();
  readonly keys: EventWebhookKeys;
  private readonly ctx: SimContext;
  private readonly mailboxes = new Map<string, MailboxBehavior>();
  private readonly suppressed = new Map<string, string>();

  constructor(ctx: SimContext) {
    this.ctx = ctx;
    this.keys = eventWebhookKeys(ctx.options.sendgrid.webhookPrivateKey);
  }

  /** The Event Webhook verification key, base64 DER, as `convertPublicKeyToECDSA` takes it. */
  get publicKey(): string {
    return this.keys.publicKey;
  }

  mount(app: SimApp): void {
    app.post('/v3/mail/send', (c) => {
      const { json, error } = c.get('body');
      const errors = error ? [{ message: 'Bad Request', field: null }] : validateMail(json);
      if (errors.length > 0) return sendgridError(400, errors);

      const mail = this.accept(json as Json);
      // Sandbox mode validates and answers 200, but nothing is sent and no events follow.
      if (mail.sandbox) return c.body(null, 200);
      if (this.ctx.options.autoWebhooks) {
        this.ctx.webhooks.run(`sendgrid mail ${mail.messageId}`, () => this.deliver(mail));
      }
      return c.body(null, 202, { 'X-Message-Id': mail.messageId });
    });
  }

  setMailbox(email: string, behavior: MailboxBehavior): void {
    this.mailboxes.set(email.toLowerCase(), behavior);
  }

  /** Posts events for a recipient of an accepted send, each with the send's custom args. */
  async sendEvents(messageId: string, requests: EventRequest[]): Promise<WebhookReply> {
    const mail = this.mails.get(messageId);
    if (!mail) throw new Error(`No mail ${messageId}`);

    const events = requests.map((request) => {
      const email = request.email ?? mail.recipients[0]?.email;
      const recipient = mail.recipients.find((entry) => entry.email === email);
      if (!recipient) throw new Error(`Mail ${messageId} did not go to ${email}`);
      return buildEvent(mail, recipient, request.event, request.fields);
    });
    return this.post(events);
  }

  /** Posts any batch of events as given, signed. */
  async postEvents(events: object[]): Promise<WebhookReply> {
    return postEvents(this.ctx, this.keys, events);
  }

  /** An email arrives at the hub's parse domain: the Inbound Parse webhook. */
  async receive(email: InboundEmail): Promise<WebhookReply> {
    return sendInboundEmail(this.ctx, email);
  }

  clear(): void {
    this.mails.clear();
    this.mailboxes.clear();
    this.suppressed.clear();
  }

  private accept(body: Json): StoredMail {
    const topArgs = (body.custom_args ?? {}) as Record<string, string>;
    const recipients: MailRecipient[] = [];
    for (const item of body.personalizations as Json[]) {
      const customArgs = { ...topArgs, ...(item.custom_args as Record<string, string>) };
      for (const kind of ['to', 'cc', 'bcc']) {
        for (const entry of (item[kind] ?? []) as Array<{ email: string }>) {
          recipients.push({ email: entry.email, customArgs });
        }
      }
    }

    const settings = body.mail_settings as { sandbox_mode?: { enable?: boolean } } | undefined;
    const categories = (body.categories ?? []) as string[];
    const mail: StoredMail = {
      messageId: randomBytes(16).toString('base64url'),
      request: body,
      recipients,
      categories,
      sandbox: settings?.sandbox_mode?.enable === true,
    };
    this.mails.set(mail.messageId, mail);
    return mail;
  }

  /** Posts each step of the recipients' event sequences as one batch, as SendGrid batches them. */
  private async deliver(mail: StoredMail): Promise<void> {
    const sequences = mail.recipients.map((recipient) => this.sequence(mail, recipient));
    const steps = Math.max(...sequences.map((events) => events.length));
    for (let step = 0; step < steps; step++) {
      const batch = sequences.flatMap((events) => events[step] ?? []);
      await this.ctx.webhooks.wait();
      await this.post(batch);
    }
  }

  private sequence(mail: StoredMail, recipient: MailRecipient): MailEvent[] {
    const event = (type: MailEventType, fields: Record<string, unknown> = {}) =>
      buildEvent(mail, recipient, type, fields);
    const address = recipient.email.toLowerCase();
    // SendGrid drops mail to a suppressed address before processing it, so no `processed`.
    const suppressedFor = this.suppressed.get(address);
    if (suppressedFor) return [event('dropped', { reason: suppressedFor })];

    const behavior = this.mailboxes.get(address) ?? {};
    const reason = behavior.reason === undefined ? {} : { reason: behavior.reason };
    switch (behavior.outcome ?? 'delivered') {
      case 'dropped':
        return [event('dropped', reason)];
      case 'bounce':
        return [event('processed'), event('bounce', reason)];
      case 'blocked': {
        const blocked = { type: 'blocked', status: '5.7.1', bounce_classification: 'Reputation' };
        return [event('processed'), event('bounce', { ...blocked, ...reason })];
      }
      case 'deferred':
        return [event('processed'), event('deferred', reason), event('delivered')];
      case 'delivered': {
        const after = behavior.then ? [event(behavior.then)] : [];
        return [event('processed'), event('delivered'), ...after];
      }
    }
  }

  private async post(events: MailEvent[]): Promise<WebhookReply> {
    for (const event of events) {
      const reason = suppressionReasons[event.event];
      const hardBounce = event.event !== 'bounce' || event.type === 'bounce';
      if (reason && hardBounce) this.suppressed.set(event.email.toLowerCase(), reason);
    }
    return postEvents(this.ctx, this.keys, events);
  }
}

export const authorizeSendGrid = (apiKey: string): Authorize => (request) => {
  if (request.headers.get('authorization') === `Bearer ${apiKey}`) return undefined;
  return sendgridError(401);
};
