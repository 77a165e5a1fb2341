import type { ChannelPlugin } from '../../core/plugins/channel.ts';
import { normalizePhone } from '../../core/recipients/addresses.ts';
import { createSandboxProvider } from '../../core/sandbox/sandbox-provider.ts';
import { voiceConfigSchema, type VoiceConfig } from './config.ts';
import { createTwilioVoice } from './twilio-voice.ts';

/** Text-to-speech reads about 150 words a minute. */
const wordsPerMinute = 150;

const voice: ChannelPlugin<VoiceConfig> = {
  kind: 'channel',
  id: 'voice',
  addressField: 'phone',
  capabilities: { replies: true, attachments: false, needsOptIn: true, pricing: 'minute' },
  configSchema: voiceConfigSchema,
  normalizeAddress: normalizePhone,
  estimateUnits: (body) => {
    const words = body.text.split(/\s+/).filter(Boolean).length;
    return Math.max(1, Math.ceil(words / wordsPerMinute));
  },
  create: (context) => {
    const { config } = context;
    if (config.provider === 'twilio') return createTwilioVoice({ ...context, config });
    return createSandboxProvider('voice', context);
  },
};

export default voice;
