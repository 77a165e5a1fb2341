import { Hono } from 'hono';
import twilio from 'twilio';
import { HubError } from '../../core/errors.ts';
import type {
  ChannelContext, InboundAttachment, InboundMessage, StatusUpdate,
} from '../../core/plugins/channel.ts';
import type { TwilioSmsConfig } from './config.ts';
import { isTwilioMessageStatus, smsOutcome } from './delivery-status.ts';
import { param, readSignedParams, type TwilioParams } from '../twilio/signature.ts';

/** The empty TwiML answer: the hub replies to patients through the API, never inline. */
const noReply = new twilio.twiml.MessagingResponse().toString();

/**
 * Twilio's SMS webhooks, mounted under `/webhooks/twilio`: delivery reports for sent
 * messages (`StatusCallback` of each send) and messages from patients (the number's
 * "A message comes in" URL). Both answer at once; the core queues or stores the event.
 */
export function smsWebhooks(context: ChannelContext<TwilioSmsConfig>): Hono {
  const { config, publicUrl, events, log } = context;
  const signing = { authToken: config.authToken, publicUrl, log };
  const app = new Hono();

  app.post('/sms/status', async (c) => {
    const params = await readSignedParams(c, signing);
    const update = statusUpdate(params);
    if (update) await events.status(update);
    else log.debug({ status: param(params, 'MessageStatus') }, 'sms status ignored');
    return c.body(null, 204);
  });

  app.post('/sms/inbound', async (c) => {
    const params = await readSignedParams(c, signing);
    const result = await events.inbound(inboundMessage(params));
    if (!result.stored) log.warn({ reason: result.reason }, 'inbound sms not stored');
    return c.body(noReply, 200, { 'Content-Type': 'text/xml' });
  });

  return app;
}

function statusUpdate(params: TwilioParams): StatusUpdate | undefined {
  const sid = param(params, 'MessageSid');
  const status = param(params, 'MessageStatus');
  if (!sid || !status || !isTwilioMessageStatus(status)) return undefined;

  const errorCode = Number(param(params, 'ErrorCode')) || undefined;
  const outcome = smsOutcome(status, errorCode);
  if (!outcome) return undefined;
  return { provider: 'twilio', providerId: sid, ...outcome, eventId: `${sid}:${status}` };
}

function inboundMessage(params: TwilioParams): InboundMessage {
  const sid = param(params, 'MessageSid');
  const from = param(params, 'From');
  const to = param(params, 'To');
  if (!sid || !from || !to) {
    throw new HubError('bad_request', { message: 'MessageSid, From and To are required.' });
  }

  return {
    provider: 'twilio',
    providerId: sid,
    from,
    to,
    body: { text: param(params, 'Body') ?? '' },
    attachments: media(params),
    units: Number(param(params, 'NumSegments')) || undefined,
  };
}

/** MMS files stay at Twilio: `MediaUrl0…` with `MediaContentType0…`, `NumMedia` of them. */
function media(params: TwilioParams): InboundAttachment[] {
  const count = Number(param(params, 'NumMedia')) || 0;
  return Array.from({ length: count }, (_, index) => ({
    url: param(params, `MediaUrl${index}`),
    contentType: param(params, `MediaContentType${index}`) || 'application/octet-stream',
  })).filter((file) => file.url);
}
