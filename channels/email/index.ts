import type { ChannelContext, ChannelPlugin } from '../../core/plugins/channel.ts';
import { normalizeEmail } from '../../core/recipients/addresses.ts';
import { createSandboxProvider } from '../../core/sandbox/sandbox-provider.ts';
import { emailConfigSchema, type EmailConfig } from './config.ts';
import type { EmailProvider } from './email-message.ts';
import { createSendGridProvider } from './sendgrid/provider.ts';
import { withUnsubscribe } from './unsubscribe.ts';

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
    // Whichever the provider, what it sends carries the unsubscribe link and headers.
    const provider = createProvider(context);
    return { ...provider, send: (message) => provider.send(withUnsubscribe(message)) };
  },
};

function createProvider(context: ChannelContext<EmailConfig>): EmailProvider {
  const { config } = context;
  switch (config.provider) {
    case 'sandbox':
      return createSandboxProvider('email', context);
    case 'sendgrid':
      return createSendGridProvider({ ...context, config });
  }
}

export default email;
