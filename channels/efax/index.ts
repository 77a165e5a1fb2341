import type { ChannelPlugin } from '../../core/plugins/channel.ts';
import { normalizePhone } from '../../core/recipients/addresses.ts';
import { createSandboxProvider } from '../../core/sandbox/sandbox-provider.ts';
import { efaxConfigSchema, type EfaxConfig } from './config.ts';
import { estimateCoverPages } from './cover-page.ts';
import { createPhaxioProvider } from './phaxio-provider.ts';

/**
 * eFax to other practices, insurers and patients' fax numbers: the message text as a cover
 * page, followed by its PDF attachments, priced per page. Faxes need no opt-in.
 */
const efax: ChannelPlugin<EfaxConfig> = {
  kind: 'channel',
  id: 'efax',
  addressField: 'fax',
  capabilities: { replies: true, attachments: true, needsOptIn: false, pricing: 'page' },
  configSchema: efaxConfigSchema,
  normalizeAddress: normalizePhone,
  // Attachments are counted at send time, when the channel reads them.
  estimateUnits: estimateCoverPages,
  create(context) {
    const { config } = context;
    switch (config.provider) {
      case 'sandbox':
        return createSandboxProvider('efax', context);
      case 'phaxio':
        return createPhaxioProvider(context, config);
    }
  },
};

export default efax;
