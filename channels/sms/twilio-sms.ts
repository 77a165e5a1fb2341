import type {
  ChannelContext, ChannelInstance, OutboundMessage, SendResult,
} from '../../core/plugins/channel.ts';
import { ProviderError } from '../../core/plugins/provider-error.ts';
import type { TwilioSmsConfig } from './config.ts';
import { countSegments } from './segments.ts';
import { smsSendError } from './send-errors.ts';
import { createTwilioClient } from '../twilio/client.ts';
import { smsWebhooks } from './webhooks.ts';

/** Sends SMS through Twilio's Messages API and takes its webhooks. */
export function createTwilioSms(context: ChannelContext<TwilioSmsConfig>): ChannelInstance {
  const { config, log } = context;
  const client = createTwilioClient(config);
  const statusCallback = `${context.publicUrl.replace(/\/+$/, '')}/webhooks/twilio/sms/status`;

  // An account's own number wins; without one, a Messaging Service picks from its pool.
  const senderOf = (message: OutboundMessage) => ({
    from: message.from ?? (config.messagingServiceSid ? undefined : config.from),
    messagingServiceSid: config.messagingServiceSid,
  });
  const segments = (message: OutboundMessage) => countSegments(message.body.text).segments;

  return {
    provider: 'twilio',
    webhooks: smsWebhooks(context),
    rateLimit: {
      key: (message) => {
        const sender = senderOf(message);
        return sender.from ?? sender.messagingServiceSid ?? 'none';
      },
      perSecond: config.rateLimit.segmentsPerSecond,
      units: segments,
    },

    async send(message: OutboundMessage): Promise<SendResult> {
      const sender = senderOf(message);
      if (!sender.from && !sender.messagingServiceSid) {
        log.error({ accountId: message.accountId },
          'no sms sender: set channels.sms.from or the account\'s senders.sms');
        throw new ProviderError({ provider: 'twilio', permanent: true, reason: 'provider_error' });
      }

      const sent = await client.messages.create({
        to: message.to, ...sender, body: message.body.text, statusCallback,
      }).catch((error: unknown) => {
        throw smsSendError(error);
      });
      return { providerId: sent.sid, units: Number(sent.numSegments) || segments(message) };
    },
  };
}
