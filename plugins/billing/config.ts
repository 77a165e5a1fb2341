import { z } from 'zod';

const days = z.array(z.number().int().min(0).max(365)).max(10);

/** `triggers.billing` in the config file. */
export const configSchema = z.strictObject({
  reminderDays: days.default([7, 0])
    .describe('Days before the due date that a payment reminder goes out; 0 is the due date.'),
  lateNoticeDays: days.default([3, 14])
    .describe('Days after the due date that a late payment notice goes out; 0 is the due date.'),
  sendTime: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Expected HH:MM').default('10:00')
    .describe("The time of day, in the client's time zone, that billing messages go out."),
});

export type BillingConfig = z.infer<typeof configSchema>;
