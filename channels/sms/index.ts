import { z } from 'zod';
import type { ChannelPlugin } from '../../core/plugins/channel.ts';
import { normalizePhone } from '../../core/recipients/addresses.ts';
import { createSandboxProvider } from '../../core/sandbox/sandbox-provider.ts';
import { countSegments } from './segments.ts';

const configSchema = z.strictObject({
  provider: z.literal('sandbox').default('sandbox').describe('Who sends the messages.'),
});

type SmsConfig = z.infer<typeof configSchema>;

const sms: ChannelPlugin<SmsConfig> = {
  kind: 'channel',
  id: 'sms',
  addressField: 'phone',
  capabilities: { replies: true, attachments: false, needsOptIn: true, pricing: 'segment' },
  configSchema,
  normalizeAddress: normalizePhone,
  estimateUnits: (body) => countSegments(body.text).segments,
  create: (context) => createSandboxProvider('sms', context),
};

export default sms;
