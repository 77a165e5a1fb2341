import { EventWebhook } from '@sendgrid/eventwebhook';
import { z } from 'zod';
import {
  allowReference, envBoolean, envNumber, optionalText,
} from '../../core/config/scalars.ts';

/** Whether SendGrid's Event Webhook verification key (base64 DER or PEM) can be read. */
function isVerificationKey(key: string): boolean {
  try {
    new EventWebhook().convertPublicKeyToECDSA(key);
    return true;
  } catch {
    return false;
  }
}

const sandboxSchema = z.strictObject({
  provider: z.literal('sandbox').default('sandbox').describe('Who sends the email.'),
});

const senderSchema = z
  .strictObject({
    address: allowReference(z.email()).describe(
      'Sender address, verified in SendGrid. An account\'s `settings.senders.email` replaces it.',
    ),
    name: optionalText(z.string().max(100)).describe('Display name shown with the address.'),
  })
  .describe('The default sender of every email.');

const parseSecret = z
  .string()
  .min(24, 'Use at least 24 random characters')
  .regex(/^[A-Za-z0-9_-]+$/, 'Use letters, digits, _ and - only: it goes into a URL path');

/** Both settings, or neither (`${VAR:-}` left empty): then emails carry no reply-to. */
const inboundSchema = z
  .strictObject({
    domain: optionalText(allowReference(z.hostname()))
      .describe(
        'The Inbound Parse host (its MX points at mx.sendgrid.net). Emails go out with a ' +
          'reply-to address reply+<accountId>@<domain>, so that replies find their account.',
      ),
    secret: optionalText(parseSecret)
      .describe(
        'Protects the Inbound Parse webhook, which SendGrid does not sign: set the parse URL ' +
          'to <publicUrl>/webhooks/sendgrid/inbound/<secret>.',
      ),
  })
  .superRefine(({ domain, secret }, context) => {
    if (Boolean(domain) === Boolean(secret)) return;
    const message = 'Set both domain and secret, or neither to receive no replies';
    context.addIssue({ code: 'custom', path: [domain ? 'secret' : 'domain'], message });
  })
  .transform(({ domain, secret }) => (domain && secret ? { domain, secret } : undefined))
  .describe('Replies by email, through SendGrid Inbound Parse.');

const sendgridSchema = z.strictObject({
  provider: z.literal('sendgrid').describe('Who sends the email.'),
  apiKey: z.string().min(1).describe('SendGrid API key with the Mail Send permission.'),
  baseUrl: allowReference(z.url({ protocol: /^https?$/, error: 'Expected an http(s) URL' }))
    .default('https://api.sendgrid.com')
    .describe(
      'SendGrid API origin: https://api.sendgrid.com, or https://api.eu.sendgrid.com for ' +
        'EU data residency.',
    ),
  from: senderSchema,
  webhookPublicKey: z
    .string()
    .refine(isVerificationKey, 'Expected the Event Webhook verification key (base64)')
    .describe('The Event Webhook verification key, as SendGrid shows it (MFkw…).'),
  webhookToleranceSeconds: envNumber(z.number().int().positive())
    .default(300)
    .describe('How far an Event Webhook timestamp may be from now before it is refused.'),
  timeoutSeconds: envNumber(z.number().positive())
    .default(30)
    .describe('How long a Mail Send request may take before it is retried.'),
  sandboxMode: envBoolean()
    .default(false)
    .describe('SendGrid\'s sandbox mode: sends are validated but not delivered, no events.'),
  inbound: inboundSchema.optional(),
});

/** `channels.email`: the sandbox by default, or SendGrid. */
export const emailConfigSchema = z.discriminatedUnion(
  'provider',
  [sandboxSchema, sendgridSchema],
  { error: 'Expected provider sandbox or sendgrid' },
);

export type EmailConfig = z.infer<typeof emailConfigSchema>;
export type SendGridConfig = z.infer<typeof sendgridSchema>;
