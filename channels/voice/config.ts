import { z } from 'zod';
import { languageSchema } from '../../core/config/account-settings.ts';
import { envNumber, optionalText } from '../../core/config/scalars.ts';

const e164 = z.string().regex(/^\+[1-9]\d{6,14}$/, 'Expected an E.164 number such as +15017122661');

const sandboxSchema = z.strictObject({
  provider: z.literal('sandbox').default('sandbox')
    .describe('Who places the calls: sandbox records them, twilio places them.'),
});

const spokenLanguageSchema = z.strictObject({
  voice: z.string().min(1).optional()
    .describe('The text-to-speech voice for this language; the channel\'s voice when unset.'),
  language: z.string().min(2)
    .describe('The language Twilio speaks in, as `<Say language>` takes it: en-US, es-MX.'),
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
    'The default caller id; an account\'s own voice sender (settings.senders.voice) wins. ' +
      'Without either, the account\'s calls fail.',
  ),
  voice: z.string().min(1).default('Polly.Joanna')
    .describe('The text-to-speech voice, as `<Say voice>` takes it: Polly.Joanna, Google.….'),
  voices: z.record(languageSchema, spokenLanguageSchema)
    .default({
      en: { language: 'en-US' },
      es: { voice: 'Polly.Lupe', language: 'es-US' },
    })
    .describe('Voice and spoken language per recipient language (en, es, or es-MX).'),
  callsPerSecond: envNumber(z.number().positive()).default(1)
    .describe('Calls the Twilio account may start per second (its CPS), across all workers.'),
  requestTimeoutSeconds: envNumber(z.number().positive()).default(30)
    .describe('How long one call to Twilio may take before it is retried later.'),
});

export const voiceConfigSchema = z.discriminatedUnion('provider', [sandboxSchema, twilioSchema]);

export type VoiceConfig = z.infer<typeof voiceConfigSchema>;
export type TwilioVoiceConfig = z.infer<typeof twilioSchema>;
