import { Hono } from 'hono';
import type { ChannelContext, StatusUpdate } from '../../core/plugins/channel.ts';
import { callOutcome, isTwilioCallStatus } from './call-status.ts';
import type { TwilioVoiceConfig } from './config.ts';
import { param, readSignedParams, type TwilioParams } from './twilio-signature.ts';

/**
 * Twilio's voice webhooks, mounted under `/webhooks/twilio`: the status callback that each
 * call asks for when it ends. It answers at once; the core queues the update.
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

  return app;
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
