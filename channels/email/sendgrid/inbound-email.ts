import { createHash } from 'node:crypto';
import type { InboundAttachment, InboundMessage } from '../../../core/plugins/channel.ts';
import { normalizeEmail } from '../../../core/recipients/addresses.ts';
import { accountFromReply, headerAddresses } from '../reply-address.ts';

/**
 * An Inbound Parse post in its default (parsed) mode as a hub message: header values, the
 * text and HTML bodies, and one file part per attachment (`attachment1`…).
 * https://www.twilio.com/docs/sendgrid/for-developers/parsing-email/inbound-email
 *
 * Text fields are read as UTF-8. SendGrid passes bodies in the sender's charset and names it
 * in `charsets`; honouring other charsets needs a multipart parser that yields the bytes of
 * text fields, which the Web FormData does not. The raw mode ("send raw" in the parse
 * setting, one `email` field of MIME) is not read: the parse setting must leave it off.
 */
export async function readInboundEmail(form: FormData, domain: string): Promise<InboundMessage> {
  const field = (name: string) => asString(form.get(name));
  const envelope = readEnvelope(field('envelope'));
  const recipients = [
    ...envelope.to,
    ...headerAddresses(field('to') ?? ''),
    ...headerAddresses(field('cc') ?? ''),
  ];
  const reply = accountFromReply(recipients, domain);

  const attachments = await readAttachments(form, readJson(field('attachment-info')));
  const headers = field('headers') ?? '';
  const providerId = messageIdHeader(headers) ?? fingerprint(form, attachments);

  return {
    provider: 'sendgrid',
    providerId,
    from: senderAddress(field('from') ?? envelope.from ?? ''),
    to: reply?.address ?? recipients[0] ?? '',
    accountId: reply?.accountId,
    body: { text: field('text') ?? '', subject: field('subject'), html: field('html') },
    attachments,
  };
}

function readJson(text: string | undefined): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text ?? '{}');
    return typeof value === 'object' && value !== null ? value as Record<string, unknown> : {};
  } catch {
    return {};
  }
}

/** `envelope` is JSON: `{"to":["reply+acme@parse.example"],"from":"pat@example.org"}`. */
function readEnvelope(text: string | undefined): { to: string[]; from?: string } {
  const envelope = readJson(text);
  const list: unknown[] = Array.isArray(envelope.to) ? envelope.to : [];
  const to = list.filter((item): item is string => typeof item === 'string');
  const from = typeof envelope.from === 'string' ? envelope.from : undefined;
  return { to, from };
}

/** The sender's bare address, from a header value such as `Pat Doe <pat@example.org>`. */
function senderAddress(header: string): string {
  const [address = header.trim()] = headerAddresses(header);
  const check = normalizeEmail(address);
  return check.ok ? check.address : address.toLowerCase();
}

/** `attachment1`…`attachmentN` in order, each described in `attachment-info` as well. */
async function readAttachments(
  form: FormData,
  info: Record<string, unknown>,
): Promise<InboundAttachment[]> {
  const parts: Array<{ index: number; name: string; file: File }> = [];
  for (const [name, value] of form.entries()) {
    const index = /^attachment(\d+)$/.exec(name)?.[1];
    if (index && typeof value !== 'string') parts.push({ index: Number(index), name, file: value });
  }
  parts.sort((a, b) => a.index - b.index);

  return Promise.all(parts.map(async ({ name, file }) => {
    const described = (info[name] ?? {}) as { filename?: unknown; type?: unknown };
    return {
      filename: file.name || asString(described.filename),
      contentType: file.type || asString(described.type) || 'application/octet-stream',
      data: Buffer.from(await file.arrayBuffer()),
    };
  }));
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The `Message-ID` of the raw header block, which may be folded onto the next line. */
function messageIdHeader(headers: string): string | undefined {
  const match = /^message-id:[ \t]*(?:\r?\n[ \t]+)?<?([^\s<>]+)>?/im.exec(headers);
  return match?.[1];
}

/**
 * An email without a Message-ID is known by what it holds: a repeated post of the same
 * email has the same fields (the header block includes its Date), so it is stored once.
 */
function fingerprint(form: FormData, attachments: InboundAttachment[]): string {
  const fields = ['headers', 'from', 'to', 'cc', 'subject', 'text', 'html']
    .map((name) => asString(form.get(name)) ?? null);
  const files = attachments.map((file) => createHash('sha256').update(file.data!).digest('hex'));
  const hash = createHash('sha256').update(JSON.stringify([fields, files])).digest('hex');
  return `sha256:${hash}`;
}
