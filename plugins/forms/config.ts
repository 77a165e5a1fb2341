import { z } from 'zod';
import { durationSchema } from '../../core/scheduling/durations.ts';

/** `triggers.forms` in the config file. */
export const configSchema = z.strictObject({
  expiry: durationSchema.default('14d')
    .describe('How long a form link stays usable when the request gives no expiresAt.'),
  followUps: z.array(durationSchema).max(10).default(['3d', '7d'])
    .describe(
      'How long after the request a follow-up goes out while the forms are not completed and ' +
      'the link has not expired.',
    ),
});

export type FormsConfig = z.infer<typeof configSchema>;
