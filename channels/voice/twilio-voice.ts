import type {
  ChannelContext, ChannelInstance, OutboundMessage, SendResult,
} from '../../core/plugins/channel.ts';
import { ProviderError } from '../../core/plugins/provider-error.ts';
import { callSendError } from './call-errors.ts';
import { buildCallTwiml, speechFor, type GatherOptions } from './call-twiml.ts';
import type { TwilioVoiceConfig } from './config.ts';
import { keypadPrompt, keysUrl } from './keypad.ts';
import { createTwilioClient } from '../twilio/client.ts';
import { voiceWebhooks } from './webhooks.ts';

/** Places text-to-speech calls through Twilio's Calls API and takes their status callbacks. */
export function createTwilioVoice(context: ChannelContext<TwilioVoiceConfig>): ChannelInstance {
  const { config, log } = context;
  const client = createTwilioClient(config);
  const statusCallback = `${context.publicUrl.replace(/\/+$/, '')}/webhooks/twilio/voice/status`;
  const gatherFor = (message: OutboundMessage): GatherOptions | undefined => {
    const { keypad, language } = message;
    if (!keypad) return undefined;
    const prompt = keypadPrompt(keypad, language) || undefined;
    return { action: keysUrl(context.publicUrl, keypad, language), prompt };
  };

  return {
    provider: 'twilio',
    webhooks: voiceWebhooks(context),
    // Twilio limits how many calls an account starts per second (CPS), whatever the number.
    // https://www.twilio.com/docs/voice/api/calling-api-cps
    rateLimit: { key: () => config.accountSid, perSecond: config.callsPerSecond, units: () => 1 },

    async send(message: OutboundMessage): Promise<SendResult> {
      const from = message.from ?? config.from;
      if (!from) {
        log.error({ accountId: message.accountId },
          'no caller id: set channels.voice.from or the account\'s senders.voice');
        throw new ProviderError({ provider: 'twilio', permanent: true, reason: 'provider_error' });
      }

      const speech = speechFor(config, message.language);
      const twiml = buildCallTwiml(message, { speech, gather: gatherFor(message) });
      // Only the end of the call is reported: it carries the outcome and the duration.
      const call = await client.calls.create({
        to: message.to, from, twiml, statusCallback, statusCallbackEvent: ['completed'],
        statusCallbackMethod: 'POST',
      }).catch((error: unknown) => {
        throw callSendError(error);
      });
      return { providerId: call.sid };
    },
  };
}
