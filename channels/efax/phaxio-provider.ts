import type {
  ChannelContext, ChannelInstance, OutboundMessage, SendResult,
} from '../../core/plugins/channel.ts';
import { ProviderError } from '../../core/plugins/provider-error.ts';
import type { EfaxConfig, PhaxioConfig } from './config.ts';
import { buildFaxDocument, UnfaxableAttachmentError } from './fax-document.ts';
import { createPhaxioClient } from './phaxio-client.ts';
import { phaxioWebhooks, webhookPaths } from './phaxio-webhooks.ts';

/** Sends faxes through Phaxio API v2.1 and turns its webhooks into hub events. */
export function createPhaxioProvider(
  context: ChannelContext<EfaxConfig>,
  config: PhaxioConfig,
): ChannelInstance {
  const client = createPhaxioClient({
    apiKey: config.apiKey,
    apiSecret: config.apiSecret,
    baseUrl: config.baseUrl.replace(/\/+$/, ''),
    timeoutMs: config.requestTimeoutSeconds * 1000,
  });

  // Phaxio signs over the callback URL exactly as it was given, so both sides build it here.
  const base = `${context.publicUrl.replace(/\/+$/, '')}/webhooks/phaxio`;
  const urls = { sent: base + webhookPaths.sent, received: base + webhookPaths.received };

  async function send(message: OutboundMessage): Promise<SendResult> {
    const document = await faxDocument(message);

    const fax = await client.sendFax({
      to: message.to,
      files: document.files,
      callbackUrl: urls.sent,
      tags: { hub_message_id: message.messageId },
      callerId: message.from ?? config.from,
    });
    context.log.info({ messageId: message.messageId, faxId: fax.id }, 'fax queued at phaxio');
    return { providerId: String(fax.id), units: document.pages };
  }

  async function faxDocument(message: OutboundMessage) {
    try {
      return await buildFaxDocument(message.body, message.attachments);
    } catch (error) {
      if (!(error instanceof UnfaxableAttachmentError)) throw error;
      throw new ProviderError({
        provider: 'phaxio', permanent: true, reason: 'fax_failed', cause: error,
      });
    }
  }

  return {
    provider: 'phaxio',
    send,
    webhooks: phaxioWebhooks({
      callbackToken: config.callbackToken,
      urls,
      client,
      events: context.events,
      log: context.log,
    }),
  };
}
