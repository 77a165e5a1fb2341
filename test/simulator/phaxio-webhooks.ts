import type { SimContext } from './context.ts';
import type { UploadedFile } from './parse-body.ts';
import type { FaxResource } from './phaxio-fax.ts';
import { phaxioSignature } from './signing.ts';
import type { WebhookReply } from './webhooks.ts';

/**
 * Posts a Phaxio webhook: a multipart form whose `fax` field is the Fax object as a JSON string,
 * with the received PDF as the `file` part, signed over the URL exactly as given.
 */
export async function sendPhaxioWebhook(
  ctx: SimContext,
  kind: string,
  url: string,
  fax: FaxResource,
  fields: Record<string, string>,
  file?: UploadedFile,
): Promise<WebhookReply> {
  const params = { ...fields, fax: JSON.stringify(fax) };
  const files = file ? [{ name: 'file', content: file.content }] : [];
  const signature = phaxioSignature(ctx.options.phaxio.callbackToken, url, params, files);

  const form = new FormData();
  for (const [name, value] of Object.entries(params)) form.append(name, value);
  if (file) {
    const blob = new Blob([file.content as BlobPart], { type: file.contentType });
    form.append('file', blob, file.filename);
  }

  const headers = { 'X-Phaxio-Signature': signature, 'User-Agent': 'Phaxio-Webhooks' };
  const payload = { ...fields, fax, file: file?.filename };
  return ctx.webhooks.send({ provider: 'phaxio', kind, url, headers, body: form, payload });
}
