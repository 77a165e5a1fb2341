import twilio from 'twilio';
import type { OutboundMessage } from '../../core/plugins/channel.ts';
import type { TwilioVoiceConfig } from './config.ts';

type VoiceResponse = InstanceType<typeof twilio.twiml.VoiceResponse>;
type SayAttributes = Parameters<VoiceResponse['say']>[0];

/** How the text is spoken: `<Say voice language>`. */
export interface Speech {
  voice?: string;
  language?: string;
}

/**
 * Keys the callee may press while the message plays (automated messages, where the account
 * allows it). Twilio posts the digits to `action`; without a press the call goes on past it.
 * https://www.twilio.com/docs/voice/twiml/gather
 */
export interface GatherOptions {
  action: string;
  numDigits?: number;
  timeoutSeconds?: number;
  /** Said after the message, inside the gather: "Press 1 to confirm, 2 to cancel." */
  prompt?: string;
}

export interface CallTwimlOptions {
  speech: Speech;
  gather?: GatherOptions;
}

/** The TwiML a call runs: the message spoken, inside a `<Gather>` when keys are taken. */
export function buildCallTwiml(
  message: Pick<OutboundMessage, 'body'>,
  options: CallTwimlOptions,
): string {
  const response = new twilio.twiml.VoiceResponse();
  const say = sayAttributes(options.speech);
  if (!options.gather) {
    response.say(say, message.body.text);
    return response.toString();
  }

  const { action, numDigits = 1, timeoutSeconds = 5, prompt } = options.gather;
  const gather = response.gather({
    input: ['dtmf'], action, method: 'POST', numDigits, timeout: timeoutSeconds,
  });
  gather.say(say, message.body.text);
  if (prompt) gather.say(say, prompt);
  return response.toString();
}

/**
 * The answer to a key pressed: words, then either the end of the call or, for 0, the call
 * connected to the practice's number.
 * https://www.twilio.com/docs/voice/twiml/dial
 */
export function buildKeyAnswerTwiml(
  answer: { say: string; dial?: string },
  speech: Speech,
): string {
  const response = new twilio.twiml.VoiceResponse();
  response.say(sayAttributes(speech), answer.say);
  if (answer.dial) response.dial(answer.dial);
  else response.hangup();
  return response.toString();
}

/** The voice and language for a recipient's language: `es-MX`, else `es`, else the default. */
export function speechFor(config: TwilioVoiceConfig, language: string): Speech {
  const entry = config.voices[language] ?? config.voices[language.split('-')[0]];
  return { voice: entry?.voice ?? config.voice, language: entry?.language };
}

// The SDK types list the voices and languages Twilio knew when it was built; the config may
// name newer ones, which Twilio accepts as they are.
function sayAttributes(speech: Speech): SayAttributes {
  const attributes: Record<string, string> = {};
  if (speech.voice) attributes.voice = speech.voice;
  if (speech.language) attributes.language = speech.language;
  return attributes as SayAttributes;
}
