import type { SimContext } from './context.ts';
import type { WebhookReply } from './webhooks.ts';

export interface InboundAttachment {
  filename: string;
  contentType: string;
  content: Uint8Array | string;
  /** Marks an inline part, listed in `content-ids`. */
  contentId?: string;
}

export interface InboundEmail {
  /** Header values as the sender wrote them, e.g. `Pat Doe <pat@example.org>`. */
  from: string;
  to: string;
  cc?: string;
  subject: string;
  text?: string;
  html?: string;
  attachments?: InboundAttachment[];
  /** Defaults to the `sendgridInboundParse` webhook URL. */
  url?: string;
  spf?: 'pass' | 'fail' | 'softfail' | 'neutral' | 'none';
}

function bareAddress(header: string): string {
  return /<([^>]+)>/.exec(header)?.[1] ?? header.trim();
}

/**
 * Posts an email to Inbound Parse in its default (parsed) mode: a multipart form of header
 * values, bodies, JSON descriptions and one file part per attachment. Classic Inbound Parse is
 * not signed; hubs protect the URL with a secret instead.
 * https://www.twilio.com/docs/sendgrid/for-developers/parsing-email/securing-your-parse-webhooks
 */
export async function sendInboundEmail(
  ctx: SimContext,
  email: InboundEmail,
): Promise<WebhookReply> {
  const url = email.url ?? ctx.urls.sendgridInboundParse;
  if (!url) throw new Error('No Inbound Parse URL: set webhookUrls.sendgridInboundParse');

  const attachments = email.attachments ?? [];
  const sender = bareAddress(email.from);
  const fields: Record<string, string> = {
    headers: headerBlock(email),
    dkim: `{@${sender.split('@')[1] ?? ''} : pass}`,
    to: email.to,
    from: email.from,
    subject: email.subject,
    sender_ip: '192.0.2.25',
    envelope: JSON.stringify({ to: [bareAddress(email.to)], from: sender }),
    charsets: JSON.stringify({ to: 'UTF-8', from: 'UTF-8', subject: 'UTF-8', text: 'UTF-8' }),
    SPF: email.spf ?? 'pass',
    attachments: String(attachments.length),
  };
  if (email.cc) fields.cc = email.cc;
  if (email.text !== undefined) fields.text = email.text;
  if (email.html !== undefined) fields.html = email.html;
  Object.assign(fields, describeAttachments(attachments));

  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  attachments.forEach((attachment, index) => {
    const blob = new Blob([attachment.content as BlobPart], { type: attachment.contentType });
    form.append(`attachment${index + 1}`, blob, attachment.filename);
  });

  const headers = { 'User-Agent': 'Sendlib/1.0' };
  const payload = { ...fields, files: attachments.map((item) => item.filename) };
  const webhook = { provider: 'sendgrid', kind: 'inbound-parse', url, headers, payload } as const;
  return ctx.webhooks.send({ ...webhook, body: form });
}

function headerBlock(email: InboundEmail): string {
  const lines = [
    `From: ${email.from}`,
    `To: ${email.to}`,
    ...(email.cc ? [`Cc: ${email.cc}`] : []),
    `Subject: ${email.subject}`,
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
  ];
  return lines.join('\n') + '\n';
}

function describeAttachments(attachments: InboundAttachment[]): Record<string, string> {
  if (attachments.length === 0) return {};
  const info: Record<string, Record<string, string>> = {};
  const contentIds: Record<string, string> = {};
  attachments.forEach((attachment, index) => {
    const key = `attachment${index + 1}`;
    const { filename, contentType } = attachment;
    info[key] = { filename, name: filename, type: contentType };
    if (attachment.contentId) {
      info[key]['content-id'] = attachment.contentId;
      contentIds[attachment.contentId] = key;
    }
  });

  const described: Record<string, string> = { 'attachment-info': JSON.stringify(info) };
  if (Object.keys(contentIds).length > 0) described['content-ids'] = JSON.stringify(contentIds);
  return described;
}
