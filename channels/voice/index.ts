import { z } from 'zod';
import type { ChannelPlugin } from '../../core/plugins/channel.ts';
import { normalizePhone } from '../../core/recipients/addresses.ts';
import { createSandboxProvider } from '../../core/sandbox/sandbox-provider.ts';

const configSchema = z.strictObject({
  provider: z.literal('sandbox').default('sandbox').describe('Who places the calls.'),
});

type VoiceConfig = z.infer<typeof configSchema>;

/** Text-to-speech reads about 150 words a minute. */
const wordsPerMinute = 150;

const voice: ChannelPlugin<VoiceConfig> = {
  kind: 'channel',
  id: 'voice',
  addressField: 'phone',
  capabilities: { replies: true, attachments: false, needsOptIn: true, pricing: 'minute' },
  configSchema,
  normalizeAddress: normalizePhone,
  estimateUnits: (body) => {
    const words = body.text.split(/\s+/).filter(Boolean).length;
    return Math.max(1, Math.ceil(words / wordsPerMinute));
  },
  create: (context) => createSandboxProvider('voice', context),
};

export default voice;
