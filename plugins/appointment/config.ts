import { z } from 'zod';
import { durationSchema } from '../../core/scheduling/durations.ts';

export const noticeKinds = ['booked', 'rescheduled', 'cancelled'] as const;

export type NoticeKind = (typeof noticeKinds)[number];

/** `triggers.appointment` in the config file. */
export const configSchema = z.strictObject({
  reminders: z.array(durationSchema).max(10).default(['48h', '2h'])
    .describe(
      'How long before the start each reminder goes out. An account may set its own ' +
      '(reminderOffsets).',
    ),
  minimumLead: durationSchema.default('1h')
    .describe(
      'The least time a reminder moved for quiet hours must leave before the start; a ' +
      'reminder with no such moment is skipped.',
    ),
  noticeDelay: durationSchema.default('5m')
    .describe(
      'How long a booking, rescheduling or cancellation waits before its notice goes out; a ' +
      'change undone within it sends nothing.',
    ),
  notices: z.array(z.enum(noticeKinds)).default([...noticeKinds])
    .describe('Which changes the client is told of.'),
});

export type AppointmentConfig = z.infer<typeof configSchema>;
