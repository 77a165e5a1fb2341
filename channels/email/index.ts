import { z } from 'zod';
import type { ChannelPlugin } from '../../core/plugins/channel.ts';
import { normalizeEmail } from '../../core/recipients/addresses.ts';
import { createSandboxProvider } from '../../core/sandbox/sandbox-provider.ts';

const configSchema = z.strictObject({
  provider: z.literal('sandbox').default('sandbox').describe('Who sends the email.'),
});

type EmailConfig = z.infer<typeof configSchema>;

const email: ChannelPlugin<EmailConfig> = {
  kind: 'channel',
  id: 'email',
  addressField: 'email',
  capabilities: { replies: true, attachments: true, needsOptIn: true, pricing: 'free' },
  configSchema,
  normalizeAddress: normalizeEmail,
  estimateUnits: () => 0,
  create: (context) => createSandboxProvider('email', context),
};

export default email;
