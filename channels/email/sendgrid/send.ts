import { Client } from '@sendgrid/client';
import { MailService, type MailDataRequired } from '@sendgrid/mail';
import type { Logger } from '../../../core/log.ts';
import type { SendResult } from '../../../core/plugins/channel.ts';
import { ProviderError } from '../../../core/plugins/provider-error.ts';
import type { SendGridConfig } from '../config.ts';
import type { EmailMessage } from '../email-message.ts';
import { replyAddress } from '../reply-address.ts';

/**
 * A mail service of its own, not the package's shared singleton, pointed at the configured
 * origin. `setApiKey` resets the client's base URL to SendGrid's, so the origin is set after.
 */
export function createMailService(config: SendGridConfig): MailService {
  const client = new Client();
  client.setApiKey(config.apiKey);
  client.setDefaultRequest('baseUrl', `${config.baseUrl.replace(/\/+$/, '')}/`);

  const mail = new MailService();
  mail.setClient(client);
  mail.setTimeout(config.timeoutSeconds * 1000);
  return mail;
}

/** Sends one email through Mail Send; the `X-Message-Id` answer header is its provider id. */
export async function sendMail(
  mail: MailService,
  config: SendGridConfig,
  message: EmailMessage,
  log: Logger,
): Promise<SendResult> {
  const request = mailRequest(config, message, log);

  let headers: Record<string, unknown>;
  try {
    const [response] = await mail.send(request);
    headers = response.headers as Record<string, unknown>;
  } catch (error) {
    throw sendError(error);
  }

  // In sandbox mode SendGrid answers 200 without an id and sends no events, so the message
  // keeps the hub's own id and stays `sent`.
  const providerId = headers['x-message-id'];
  return { providerId: typeof providerId === 'string' ? providerId : message.messageId };
}

function mailRequest(
  config: SendGridConfig,
  message: EmailMessage,
  log: Logger,
): MailDataRequired {
  const { body } = message;
  return {
    to: message.to,
    from: { email: message.from ?? config.from.address, name: config.from.name },
    replyTo: replyTo(config, message.accountId, log),
    subject: body.subject ?? '',
    text: body.text,
    html: body.html,
    attachments: message.attachments.map((file) => ({
      content: file.data.toString('base64'),
      filename: file.filename,
      type: file.contentType,
      disposition: 'attachment',
    })),
    // List-Unsubscribe among them. The SDK also sends these as headers of the API request
    // itself, which SendGrid ignores.
    headers: message.headers,
    // Events carry these back as top-level fields.
    customArgs: { hub_message_id: message.messageId, hub_account_id: message.accountId },
    mailSettings: config.sandboxMode ? { sandboxMode: { enable: true } } : undefined,
    // Unsubscribing is the hub's: SendGrid's subscription tracking, where the SendGrid account
    // has it on, would add a link and a List-Unsubscribe of its own that the hub never hears.
    trackingSettings: { subscriptionTracking: { enable: false } },
  };
}

function replyTo(config: SendGridConfig, accountId: string, log: Logger) {
  if (!config.inbound) return undefined;

  const address = replyAddress(accountId, config.inbound.domain);
  if (!address) {
    log.warn({ accountId }, 'account id does not fit an email address: replies go to the sender');
  }
  return address;
}

/** Error fields that name the recipient: `personalizations.0.to.0.email`. */
const recipientField = /^personalizations\.\d+\.(to|cc|bcc)\b/;

/**
 * Mail Send errors: `{ errors: [{ message, field }] }` with the HTTP status.
 * https://www.twilio.com/docs/sendgrid/api-reference/mail-send/mail-send#responses
 */
function sendError(error: unknown): ProviderError {
  const status = (error as { code?: unknown }).code;
  const responded = typeof status === 'number' && status >= 400;
  // No answer at all (a timeout, a reset connection): the mail may be tried again.
  if (!responded) {
    return new ProviderError({
      provider: 'sendgrid', permanent: false, reason: 'provider_error', cause: error,
    });
  }

  const transient = status === 429 || status >= 500;
  const fields = errorFields(error);
  const reason = status === 400 && fields.some((field) => recipientField.test(field))
    ? 'invalid_address'
    : 'provider_error';
  return new ProviderError({
    provider: 'sendgrid', permanent: !transient, reason, providerCode: status, cause: error,
  });
}

function errorFields(error: unknown): string[] {
  const body = (error as { response?: { body?: unknown } }).response?.body;
  const errors = (body as { errors?: unknown } | undefined)?.errors;
  if (!Array.isArray(errors)) return [];
  return errors.map((item) => String((item as { field?: unknown })?.field ?? ''));
}
