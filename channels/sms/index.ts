import type { ChannelPlugin } from '../../core/plugins/channel.ts';
import { normalizePhone } from '../../core/recipients/addresses.ts';
import { createSandboxProvider } from '../../core/sandbox/sandbox-provider.ts';
import { smsConfigSchema, type SmsConfig } from './config.ts';
import { countSegments } from './segments.ts';
import { createTwilioSms } from './twilio-sms.ts';

const sms: ChannelPlugin<SmsConfig> = {
  kind: 'channel',
  id: 'sms',
  addressField: 'phone',
  capabilities: { replies: true, attachments: false, needsOptIn: true, pricing: 'segment' },
  configSchema: smsConfigSchema,
  normalizeAddress: normalizePhone,
  estimateUnits: (body) => countSegments(body.text).segments,
  create: (context) => {
    const { config } = context;
    if (config.provider === 'twilio') return createTwilioSms({ ...context, config });
    return createSandboxProvider('sms', context);
  },
};

export default sms;
