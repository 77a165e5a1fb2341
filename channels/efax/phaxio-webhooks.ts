import { Hono } from 'hono';
import { HubError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import type { ChannelEvents } from '../../core/plugins/channel.ts';
import { normalizePhone } from '../../core/recipients/addresses.ts';
import { faxStatusUpdate } from './fax-status.ts';
import type { PhaxioClient } from './phaxio-client.ts';
import { parseFaxField, type PhaxioFax } from './phaxio-fax.ts';
import { isValidPhaxioSignature, type SignedFile } from './phaxio-signature.ts';

/** Where Phaxio reaches the hub, under `/webhooks/phaxio`. */
export const webhookPaths = { sent: '/fax', received: '/receive' } as const;

export interface PhaxioWebhookOptions {
  callbackToken: string;
  /** The URLs as given to Phaxio (publicUrl + path), which its signatures cover. */
  urls: { sent: string; received: string };
  client: PhaxioClient;
  events: ChannelEvents;
  log: Logger;
}

interface ReceivedForm {
  params: Record<string, string>;
  files: SignedFile[];
}

/**
 * Phaxio's send webhook (the outcome of a fax the hub sent) and receive webhook (a fax that
 * arrived at the account's number). Both are multipart forms with the Fax object as a JSON
 * string in `fax`; a received fax brings its PDF in the `file` part.
 * https://www.phaxio.com/docs/api/v2.1/faxes/send_webhooks
 */
export function phaxioWebhooks(options: PhaxioWebhookOptions): Hono {
  const { events, log } = options;
  const app = new Hono();

  app.post(webhookPaths.sent, async (c) => {
    const form = await verifiedForm(c.req.raw, options, options.urls.sent);
    const fax = faxFrom(form);

    const update = fax.direction === 'sent' ? faxStatusUpdate(fax) : undefined;
    if (update) await events.status(update);
    log.debug({ faxId: fax.id, faxStatus: fax.status }, 'phaxio fax webhook');
    return c.body(null, 200);
  });

  app.post(webhookPaths.received, async (c) => {
    const form = await verifiedForm(c.req.raw, options, options.urls.received);
    const fax = faxFrom(form);
    if (fax.direction !== 'received' || fax.status !== 'success') {
      log.info({ faxId: fax.id, faxStatus: fax.status }, 'phaxio receive webhook ignored');
      return c.body(null, 200);
    }

    const document = form.files.find((file) => file.name === 'file')?.content
      ?? await options.client.downloadFile(fax.id);
    const result = await events.inbound(inboundFax(fax, document));
    if (!result.stored) log.warn({ faxId: fax.id }, 'inbound fax for no known account');
    return c.body(null, 200);
  });

  return app;
}

/** Reads the form and checks `X-Phaxio-Signature` over it before anything else happens. */
async function verifiedForm(
  request: Request,
  options: PhaxioWebhookOptions,
  url: string,
): Promise<ReceivedForm> {
  const form = await readForm(request);
  const signature = request.headers.get('x-phaxio-signature') ?? undefined;
  const valid = isValidPhaxioSignature(
    options.callbackToken, url, form.params, form.files, signature,
  );
  if (!valid) {
    options.log.warn({ path: new URL(request.url).pathname }, 'phaxio signature refused');
    throw new HubError('forbidden', { message: 'The X-Phaxio-Signature does not match.' });
  }
  return form;
}

async function readForm(request: Request): Promise<ReceivedForm> {
  let form: FormData;
  try {
    form = await request.formData();
  } catch (error) {
    throw new HubError('bad_request', { message: 'Expected a multipart form.', cause: error });
  }

  const params: Record<string, string> = {};
  const files: SignedFile[] = [];
  for (const [name, value] of form) {
    if (typeof value === 'string') params[name] = value;
    else files.push({ name, content: new Uint8Array(await value.arrayBuffer()) });
  }
  return { params, files };
}

function faxFrom(form: ReceivedForm): PhaxioFax {
  const fax = parseFaxField(form.params.fax);
  if (!fax) throw new HubError('bad_request', { message: 'The fax field is not a Fax object.' });
  return fax;
}

function inboundFax(fax: PhaxioFax, document: Uint8Array) {
  return {
    provider: 'phaxio',
    providerId: String(fax.id),
    from: e164(fax.from_number),
    to: e164(fax.to_number),
    body: { text: '' },
    attachments: [{
      filename: `fax-${fax.id}.pdf`,
      contentType: 'application/pdf',
      data: Buffer.from(document),
    }],
    units: fax.num_pages ?? undefined,
  };
}

/** A withheld caller id arrives empty or as a word; it is kept as it came. */
function e164(number: string | null | undefined): string {
  const checked = normalizePhone(number ?? '');
  return checked.ok ? checked.address : (number ?? '');
}
