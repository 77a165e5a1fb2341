import { Hono } from 'hono';
import type { ChannelContext } from '../../../core/plugins/channel.ts';
import type { SendGridConfig } from '../config.ts';
import type { EmailProvider } from '../email-message.ts';
import { mountEventWebhook } from './event-webhook.ts';
import { mountInboundParse } from './inbound-parse.ts';
import { createMailService, sendMail } from './send.ts';
import { createEventVerifier } from './signature.ts';

/**
 * Email through Twilio SendGrid: Mail Send out, the Event Webhook for delivery statuses at
 * `/webhooks/sendgrid/events`, and Inbound Parse for replies at
 * `/webhooks/sendgrid/inbound/<secret>` when `inbound` is configured.
 */
export function createSendGridProvider(context: ChannelContext<SendGridConfig>): EmailProvider {
  const { config, events, log } = context;
  const mail = createMailService(config);

  const webhooks = new Hono();
  const verify = createEventVerifier(config.webhookPublicKey, config.webhookToleranceSeconds);
  mountEventWebhook(webhooks, { verify, events, log });
  if (config.inbound) mountInboundParse(webhooks, { inbound: config.inbound, events, log });
  else log.info('email replies are off: channels.email.inbound is not set');

  return {
    provider: 'sendgrid',
    send: (message) => sendMail(mail, config, message, log),
    webhooks,
  };
}
