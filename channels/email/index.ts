import type { ChannelPlugin } from '../../core/plugins/channel.ts';
import { normalizeEmail } from '../../core/recipients/addresses.ts';
import { createSandboxProvider } from '../../core/sandbox/sandbox-provider.ts';
import { emailConfigSchema, type EmailConfig } from './config.ts';
import { createSendGridProvider } from './sendgrid/provider.ts';

const email: ChannelPlugin<EmailConfig> = {
  kind: 'channel',
  id: 'email',
  addressField: 'email',
  capabilities: {
    replies: true, attachments: true, needsOptIn: true, pricing: 'free', requiresSubject: true,
  },
  configSchema: emailConfigSchema,
  normalizeAddress: normalizeEmail,
  estimateUnits: () => 0,
  create(context) {
    const { config } = context;
    switch (config.provider) {
      case 'sandbox':
        return createSandboxProvider('email', context);
      case 'sendgrid':
        return createSendGridProvider({ ...context, config });
    }
  },
};

export default email;
