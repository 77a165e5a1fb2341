import { z } from 'zod';
import { envNumber, optionalText } from '../../core/config/scalars.ts';

const e164 = z.string().regex(/^\+[1-9]\d{6,14}$/, 'Expected an E.164 number such as +15017122661');

const sandboxSchema = z.strictObject({
  provider: z.literal('sandbox').default('sandbox')
    .describe('Who sends the messages: sandbox records them, twilio sends them.'),
});

const twilioSchema = z.strictObject({
  provider: z.literal('twilio'),
  accountSid: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'Expected a Twilio Account SID (AC…)')
    .describe('The Twilio Account SID.'),
  authToken: z.string().min(1)
    .describe('The Twilio auth token: it signs the API calls and checks Twilio\'s webhooks.'),
  baseUrl: z.url({ protocol: /^https?$/ }).default('https://api.twilio.com')
    .describe('Where the Twilio REST API is reached: a regional endpoint, or the simulator.'),
  from: optionalText(e164).describe(
    'The default sender; an account\'s own sms sender (settings.senders.sms) wins. Without ' +
      'either (and without a messaging service), the account\'s messages fail.',
  ),
  messagingServiceSid: optionalText(
    z.string().regex(/^MG[0-9a-fA-F]{32}$/, 'Expected a Messaging Service SID (MG…)'),
  ).describe('Send through this Messaging Service, which picks the number from its pool.'),
  rateLimit: z.strictObject({
    segmentsPerSecond: envNumber(z.number().positive()).default(1)
      .describe('Segments one sender may send per second, across all workers.'),
  }).prefault({}).describe('How fast each sender sends; a US long code takes about 1/s.'),
  requestTimeoutSeconds: envNumber(z.number().positive()).default(30)
    .describe('How long one call to Twilio may take before it is retried later.'),
});

export const smsConfigSchema = z.discriminatedUnion('provider', [sandboxSchema, twilioSchema]);

export type SmsConfig = z.infer<typeof smsConfigSchema>;
export type TwilioSmsConfig = z.infer<typeof twilioSchema>;
