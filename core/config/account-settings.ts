import { z } from 'zod';
import { durationSchema } from '../scheduling/durations.ts';
import { defaultReplyWords, replyWordsSchema } from '../consent/keywords.ts';

const clockTime = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Expected a time of day as HH:MM, from 00:00 to 23:59');

/** Whether `name` is an IANA time zone that this runtime can convert times into. */
export function isTimeZone(name: string): boolean {
  // Intl also takes UTC offsets such as "+05:00", which are not zones and ignore daylight saving.
  if (!/^[A-Za-z]/.test(name)) return false;

  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

export const timeZoneSchema = z
  .string()
  .refine(isTimeZone, 'Expected an IANA time zone such as America/New_York');

export const languageSchema = z
  .string()
  .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'Expected a language tag such as en or es-MX');

const descriptions = {
  messagingEnabled:
    'Whether the hub sends messages for the account at all; while off, due messages are ' +
    'suppressed.',
  optInRequired:
    'Whether recipients must opt in before their first message. eFax never needs opt-in.',
  timeZone: "The practice's IANA time zone, used for recipients who have none of their own.",
  language: 'Language of messages to recipients who have none of their own.',
  quietHours:
    "The window in which sms and voice messages may go out, in the recipient's local time. " +
    'A message due outside it waits for the next start; a reminder moves to the nearest ' +
    'moment inside it that still leaves the client time to act. Equal start and end: no ' +
    'quiet hours.',
  quietHoursStart: 'Earliest time of day (HH:MM) an sms or voice message may go out.',
  quietHoursEnd: 'Time of day (HH:MM) after which no sms or voice message goes out.',
  practiceName: 'The practice name that templates show to patients.',
  practicePhone: 'The phone number that templates give for reaching the practice.',
  reminderOffsets:
    'How long before an appointment its reminders go out (`48h`, `2h`, `30m`), one reminder ' +
    "each; an empty list sends none. Unset: the appointment trigger's `reminders`.",
  senders:
    'The sender per channel id: a phone number for sms and voice, an address for email, a ' +
    'fax number for efax. A channel without one uses its provider setting.',
  lowCreditThresholds:
    'Balances, in minor units of the currency, at which the host hears `credit.low`: once ' +
    'each time the balance falls to or below one of them.',
  notificationLink:
    'The host page that notification emails link to, as a URL template: {accountId}, ' +
    '{kind} (messages or errors) and {messageId} (when the email is about one message) are ' +
    'filled in. Empty: the emails carry no link.',
  replyWords:
    'Words that confirm or cancel an appointment when a client replies to its reminder or ' +
    'notice, matched whole, in any case. Carrier keywords (STOP, CANCEL, HELP…) are not ' +
    'allowed: they opt the client out or ask for help instead. YES opts a client in who ' +
    'opted out, has an opt-in request pending, or must opt in and has not; for anyone else ' +
    'it confirms.',
  voiceResponses:
    'Whether automated calls take key presses: 1 confirms and 2 cancels an appointment, 0 ' +
    'connects the caller to forwardNumber. Calls sent by a person take none.',
  forwardNumber:
    'The E.164 number a caller reaches by pressing 0 during an automated call; empty: 0 ' +
    'is not offered.',
  helpText:
    'What a recipient who texts HELP is told between the practice name and the opt-out ' +
    'notice; empty: the practice phone number.',
  optInLead:
    'How long before the first message that waits for consent the opt-in request goes out.',
  optInMaxWait:
    'How long a message waits for the recipient to opt in before it expires ' +
    '(`opt_in_expired`); it expires sooner when its own moment passes (an appointment ' +
    'starts). An opt-in link works as long.',
  optInReminder:
    'How long after an unanswered opt-in request one reminder to answer it goes out, while ' +
    'messages still wait; unset: no reminder.',
} as const;

const thresholdsSchema = z.array(z.number().int()).max(10);

const linkTemplateSchema = z.union([
  z.literal(''),
  z.string().max(500).regex(/^https?:\/\/\S+$/, 'Expected an http(s) URL template'),
]);

const sendersSchema = z.record(z.string().max(32), z.string().min(1).max(320));

const reminderOffsetsSchema = z.array(durationSchema).max(10);

const phoneOrEmpty = z.union([
  z.literal(''),
  z.string().regex(/^\+[1-9]\d{6,14}$/, 'Expected an E.164 number such as +15017122661'),
]);

/**
 * The settings of one account, every one required but the overrides of trigger schedules,
 * which fall back to the trigger's config. The HTTP API derives its request bodies
 * from this (`.partial()` for updates); the config file gives them defaults.
 */
export const accountSettingsSchema = z.strictObject({
  messagingEnabled: z.boolean().describe(descriptions.messagingEnabled),
  optInRequired: z.boolean().describe(descriptions.optInRequired),
  timeZone: timeZoneSchema.describe(descriptions.timeZone),
  language: languageSchema.describe(descriptions.language),
  quietHours: z
    .strictObject({
      start: clockTime.describe(descriptions.quietHoursStart),
      end: clockTime.describe(descriptions.quietHoursEnd),
    })
    .describe(descriptions.quietHours),
  practiceName: z.string().max(200).describe(descriptions.practiceName),
  practicePhone: z.string().max(40).describe(descriptions.practicePhone),
  senders: sendersSchema.describe(descriptions.senders),
  lowCreditThresholds: thresholdsSchema.describe(descriptions.lowCreditThresholds),
  notificationLink: linkTemplateSchema.describe(descriptions.notificationLink),
  reminderOffsets: reminderOffsetsSchema.optional().describe(descriptions.reminderOffsets),
  replyWords: replyWordsSchema.describe(descriptions.replyWords),
  voiceResponses: z.boolean().describe(descriptions.voiceResponses),
  forwardNumber: phoneOrEmpty.describe(descriptions.forwardNumber),
  helpText: z.string().max(160).describe(descriptions.helpText),
  optInLead: durationSchema.describe(descriptions.optInLead),
  optInMaxWait: durationSchema.describe(descriptions.optInMaxWait),
  optInReminder: durationSchema.optional().describe(descriptions.optInReminder),
});

export type AccountSettings = z.infer<typeof accountSettingsSchema>;

/** The same settings with the values a new account starts from. */
export const accountDefaultsSchema = z
  .strictObject({
    messagingEnabled: z.boolean().default(true).describe(descriptions.messagingEnabled),
    optInRequired: z.boolean().default(false).describe(descriptions.optInRequired),
    timeZone: timeZoneSchema.default('America/New_York').describe(descriptions.timeZone),
    language: languageSchema.default('en').describe(descriptions.language),
    quietHours: z
      .strictObject({
        start: clockTime.default('08:00').describe(descriptions.quietHoursStart),
        end: clockTime.default('21:00').describe(descriptions.quietHoursEnd),
      })
      .prefault({})
      .describe(descriptions.quietHours),
    practiceName: z.string().max(200).default('').describe(descriptions.practiceName),
    practicePhone: z.string().max(40).default('').describe(descriptions.practicePhone),
    senders: sendersSchema.default({}).describe(descriptions.senders),
    lowCreditThresholds: thresholdsSchema
      .default([500, 0])
      .describe(descriptions.lowCreditThresholds),
    notificationLink: linkTemplateSchema.default('').describe(descriptions.notificationLink),
    replyWords: replyWordsSchema.default(defaultReplyWords).describe(descriptions.replyWords),
    voiceResponses: z.boolean().default(false).describe(descriptions.voiceResponses),
    forwardNumber: phoneOrEmpty.default('').describe(descriptions.forwardNumber),
    helpText: z.string().max(160).default('').describe(descriptions.helpText),
    optInLead: durationSchema.default('1h').describe(descriptions.optInLead),
    optInMaxWait: durationSchema.default('7d').describe(descriptions.optInMaxWait),
  })
  .prefault({})
  .describe('The settings a new account starts with, unless the request or the file says else.');

export const accountIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'Expected letters, digits, - and _ (at most 64)');

/** An account declared as code in the file rather than created through the API. */
export const declaredAccountSchema = z
  .strictObject({
    id: accountIdSchema.describe('The id the host uses for this account.'),
    name: z.string().min(1).max(200).describe('A name for the account, shown to admins.'),
    ...accountSettingsSchema.partial().shape,
  })
  .describe('One account. Settings not given here come from defaults.account.');
