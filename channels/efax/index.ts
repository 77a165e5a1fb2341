import { z } from 'zod';
import type { ChannelPlugin } from '../../core/plugins/channel.ts';
import { normalizePhone } from '../../core/recipients/addresses.ts';
import { createSandboxProvider } from '../../core/sandbox/sandbox-provider.ts';

const configSchema = z.strictObject({
  provider: z.literal('sandbox').default('sandbox').describe('Who sends the faxes.'),
});

type EfaxConfig = z.infer<typeof configSchema>;

/** A letter page of 12-point text holds about 50 lines. */
const linesPerPage = 50;

const efax: ChannelPlugin<EfaxConfig> = {
  kind: 'channel',
  id: 'efax',
  addressField: 'fax',
  capabilities: { replies: true, attachments: true, needsOptIn: false, pricing: 'page' },
  configSchema,
  normalizeAddress: normalizePhone,
  estimateUnits: (body) => Math.max(1, Math.ceil(body.text.split('\n').length / linesPerPage)),
  create: (context) => createSandboxProvider('efax', context),
};

export default efax;
