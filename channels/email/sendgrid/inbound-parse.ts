import { createHash, timingSafeEqual } from 'node:crypto';
import type { Hono } from 'hono';
import { HubError } from '../../../core/errors.ts';
import type { Logger } from '../../../core/log.ts';
import type { ChannelEvents } from '../../../core/plugins/channel.ts';
import type { SendGridConfig } from '../config.ts';
import { readInboundEmail } from './inbound-email.ts';

interface InboundParseDeps {
  inbound: NonNullable<SendGridConfig['inbound']>;
  events: ChannelEvents;
  log: Logger;
}

/**
 * `POST /inbound/<secret>`: SendGrid Inbound Parse, a multipart form per received email.
 * Classic Inbound Parse is not signed, so the URL carries a secret, compared in constant time.
 * https://www.twilio.com/docs/sendgrid/for-developers/parsing-email/securing-your-parse-webhooks
 */
export function mountInboundParse(app: Hono, deps: InboundParseDeps): void {
  const expected = digest(deps.inbound.secret);

  app.post('/inbound/:secret', async (c) => {
    if (!timingSafeEqual(digest(c.req.param('secret')), expected)) {
      deps.log.warn('sendgrid inbound parse refused: wrong secret');
      throw new HubError('forbidden', { message: 'The Inbound Parse URL secret is wrong.' });
    }

    const form = await c.req.formData().catch((error: unknown) => {
      throw new HubError('bad_request', { message: 'Expected a multipart form.', cause: error });
    });
    const message = await readInboundEmail(form, deps.inbound.domain);
    const result = await deps.events.inbound(message);

    // An email for no known account is answered 200 all the same: SendGrid would otherwise
    // post it again for days.
    if (result.stored) {
      const { messageId, accountId, duplicate } = result;
      deps.log.info({ messageId, accountId, duplicate }, 'sendgrid inbound email received');
    } else {
      deps.log.warn({ reason: result.reason }, 'sendgrid inbound email not stored');
    }
    return c.body(null, 200);
  });
}

/** Equal-length digests, so that the comparison takes the same time whatever was sent. */
function digest(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}
