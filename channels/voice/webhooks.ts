import { Hono } from 'hono';
import type { ChannelContext, StatusUpdate } from '../../core/plugins/channel.ts';
import { callOutcome, isTwilioCallStatus } from './call-status.ts';
import { buildKeyAnswerTwiml, speechFor } from './call-twiml.ts';
import type { TwilioVoiceConfig } from './config.ts';
import { keypadSpeech, offeredKeys } from './keypad.ts';
import { param, readSignedParams, type TwilioParams } from '../twilio/signature.ts';

/**
 * Twilio's voice webhooks, mounted under `/webhooks/twilio`: the status callback that each
 * call asks for when it ends, and the key a callee pressed during an automated call. Both
 * answer at once; the core queues the update and reads the answer later.
 */
export function voiceWebhooks(context: ChannelContext<TwilioVoiceConfig>): Hono {
  const { config, publicUrl, events, log } = context;
  const signing = { authToken: config.authToken, publicUrl, log };
  const app = new Hono();

  app.post('/voice/status', async (c) => {
    const params = await readSignedParams(c, signing);
    const update = statusUpdate(params);
    if (update) await events.status(update);
    else log.debug({ status: param(params, 'CallStatus') }, 'call status ignored');
    return c.body(null, 204);
  });

  app.post('/voice/keys', async (c) => {
    const params = await readSignedParams(c, signing);
    const offered = offeredKeys(new URL(c.req.url).searchParams);
    const answer = await answerKey(context, params, offered);
    const twiml = buildKeyAnswerTwiml(answer, speechFor(config, offered.language));
    return c.body(twiml, 200, { 'Content-Type': 'text/xml' });
  });

  return app;
}

/**
 * 0 connects the caller to the practice; 1 and 2, where the call offered them, reach the core
 * as a reply to the call (it confirms, cancels or opts in); any other key ends the call.
 */
async function answerKey(
  context: ChannelContext<TwilioVoiceConfig>,
  params: TwilioParams,
  offered: ReturnType<typeof offeredKeys>,
): Promise<{ say: string; dial?: string }> {
  const words = keypadSpeech(offered.language);
  const digits = param(params, 'Digits');
  if (digits === '0' && offered.forwardTo) {
    return { say: words.connecting, dial: offered.forwardTo };
  }

  const answers = offered.answers === 'opt_in' ? ['1'] : offered.answers ? ['1', '2'] : [];
  const sid = param(params, 'CallSid');
  const callee = param(params, 'To');
  const caller = param(params, 'From');
  if (!digits || !answers.includes(digits) || !sid || !callee || !caller) {
    return { say: words.goodbye };
  }

  // On a call the hub placed, Twilio's `From` is the hub's number and `To` the patient's.
  const result = await context.events.inbound({
    provider: 'twilio', providerId: `${sid}:keys`, from: callee, to: caller,
    body: { text: digits }, inReplyTo: sid,
  });
  if (!result.stored) context.log.warn({ reason: result.reason }, 'key press not stored');
  return { say: offered.answers === 'opt_in' ? words.optedIn : words.answered };
}

function statusUpdate(params: TwilioParams): StatusUpdate | undefined {
  const sid = param(params, 'CallSid');
  const status = param(params, 'CallStatus');
  if (!sid || !status || !isTwilioCallStatus(status)) return undefined;

  const duration = param(params, 'CallDuration');
  const outcome = callOutcome(status, duration === undefined ? undefined : Number(duration));
  if (!outcome) return undefined;
  return { provider: 'twilio', providerId: sid, ...outcome, eventId: `${sid}:${status}` };
}
