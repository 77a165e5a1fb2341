import { z } from 'zod';
import { envNumber, optionalText } from '../../core/config/scalars.ts';

const sandboxSchema = z.strictObject({
  provider: z.literal('sandbox').default('sandbox')
    .describe('Who sends the faxes: sandbox records them, phaxio sends them.'),
});

const phaxioSchema = z.strictObject({
  provider: z.literal('phaxio'),
  apiKey: z.string().min(1).describe('The Phaxio API key.'),
  apiSecret: z.string().min(1).describe('The Phaxio API secret.'),
  baseUrl: z.url({ protocol: /^https?$/ }).default('https://api.phaxio.com/v2.1')
    .describe('Where the Phaxio API v2.1 is reached; the simulator in tests.'),
  from: optionalText(z.string())
    .describe('The Phaxio number faxes are sent from; an account\'s own efax sender wins.'),
  callbackToken: z.string().min(1)
    .describe('The token Phaxio signs its webhooks with (X-Phaxio-Signature).'),
  requestTimeoutSeconds: envNumber(z.number().positive()).default(30)
    .describe('How long one call to Phaxio may take before it is retried later.'),
});

export const efaxConfigSchema = z.discriminatedUnion('provider', [sandboxSchema, phaxioSchema]);

export type EfaxConfig = z.infer<typeof efaxConfigSchema>;
export type PhaxioConfig = z.infer<typeof phaxioSchema>;
