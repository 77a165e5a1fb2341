import { z } from 'zod';
import type { CarrierKeyword } from '../plugins/channel.ts';

/**
 * The carrier keywords of US messaging (CTIA; Twilio answers the same ones). A reply is a
 * keyword only when it is the word alone, in any case, with nothing but space around it:
 * "Stop" is one, "stop texting me" is not.
 */
const keywords: Record<string, CarrierKeyword> = {
  STOP: 'opt_out',
  STOPALL: 'opt_out',
  UNSUBSCRIBE: 'opt_out',
  // CANCEL opts out for carriers and under the TCPA, so it never cancels an appointment.
  CANCEL: 'opt_out',
  END: 'opt_out',
  QUIT: 'opt_out',
  REVOKE: 'opt_out',
  OPTOUT: 'opt_out',
  START: 'opt_in',
  UNSTOP: 'opt_in',
  YES: 'opt_in',
  HELP: 'help',
  INFO: 'help',
};

/** Carrier keywords are an SMS convention: a call's keys and an email's words are not read so. */
export const keywordChannels: ReadonlySet<string> = new Set(['sms']);

/**
 * YES is both an opt-in keyword and a default confirm word. It opts in only a recipient who
 * is not opted in and either opted out, has an opt-in request pending, or must opt in for the
 * account; for everyone else it is an answer to the message (see `replies/process.ts`).
 */
export const ambiguousYes = 'YES';

/** The reply as one upper-case word, or undefined when it is empty or several words. */
export function singleWord(text: string): string | undefined {
  const word = text.trim();
  if (word === '' || /\s/.test(word)) return undefined;
  return word.toUpperCase();
}

export function carrierKeyword(word: string | undefined): CarrierKeyword | undefined {
  return word === undefined ? undefined : keywords[word];
}

export interface ReplyWords {
  confirm: string[];
  cancel: string[];
}

export const defaultReplyWords: ReplyWords = {
  confirm: ['C', 'Y', 'YES', '1'],
  cancel: ['X', 'N', 'NO', '2'],
};

/** What a reply answers by the account's words: confirm, cancel, or neither. */
export function answerFor(word: string | undefined, words: ReplyWords) {
  if (word === undefined) return undefined;
  if (words.confirm.some((w) => w.toUpperCase() === word)) return 'confirm' as const;
  if (words.cancel.some((w) => w.toUpperCase() === word)) return 'cancel' as const;
  return undefined;
}

const replyWord = z.string().regex(/^\S{1,20}$/, 'Expected one word without spaces');

/** A word the carrier reads as a keyword: taking it as an answer would break the keyword. */
function isReserved(word: string, list: 'confirm' | 'cancel'): boolean {
  const upper = word.toUpperCase();
  if (list === 'confirm' && upper === ambiguousYes) return false;
  return upper in keywords;
}

export const replyWordsSchema = z.strictObject({
  confirm: z.array(replyWord).max(20),
  cancel: z.array(replyWord).max(20),
}).superRefine((words, ctx) => {
  for (const list of ['confirm', 'cancel'] as const) {
    words[list].forEach((word, index) => {
      if (!isReserved(word, list)) return;
      ctx.addIssue({
        code: 'custom', path: [list, index],
        message: `${word.toUpperCase()} is a carrier keyword and cannot be a reply word`,
      });
    });
  }

  const confirm = new Set(words.confirm.map((word) => word.toUpperCase()));
  const both = words.cancel.filter((word) => confirm.has(word.toUpperCase()));
  if (both.length > 0) {
    const message = `${both[0]} both confirms and cancels`;
    ctx.addIssue({ code: 'custom', path: ['cancel'], message });
  }
});
