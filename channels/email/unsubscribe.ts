import { pageText } from '../../core/consent/page-text.ts';
import type { MessageBody, OutboundMessage } from '../../core/plugins/channel.ts';
import type { EmailMessage } from './email-message.ts';

/**
 * Every email to a client or contact carries its unsubscribe link: as a line at the end of
 * its text and HTML parts, in the recipient's language, and in `List-Unsubscribe`, which mail
 * clients show as an unsubscribe button and post to directly (RFC 8058). The channel adds it
 * rather than the templates, so that no template, account override or text from the host can
 * leave it out.
 *
 * Notifications to staff have no unsubscribe link and get none: the hub's link opts a patient
 * out of the practice's messages, while what a user receives is set by the host through
 * `PUT .../users/{ref}`.
 * https://www.rfc-editor.org/rfc/rfc8058
 */
export function withUnsubscribe(message: OutboundMessage): EmailMessage {
  const url = message.unsubscribeUrl;
  if (!url) return { ...message, headers: {} };

  return {
    ...message,
    body: withFooter(message.body, url, message.language),
    headers: {
      'List-Unsubscribe': `<${url}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    },
  };
}

function withFooter(body: MessageBody, url: string, language: string): MessageBody {
  const { text: words } = pageText(language);
  const text = `${body.text.trimEnd()}\n\n${words.footerQuestion} ${words.footerLink}: ${url}\n`;
  if (body.html === undefined) return { ...body, text };

  const line = `<p style="font-size:0.875em;color:#555">${escape(words.footerQuestion)} ` +
    `<a href="${escape(url)}">${escape(words.footerLink)}</a></p>`;
  return { ...body, text, html: beforeBodyEnd(body.html, line) };
}

/** Inside the document's `<body>` when the HTML part is a whole document, else at its end. */
function beforeBodyEnd(html: string, line: string): string {
  const end = html.toLowerCase().lastIndexOf('</body>');
  if (end === -1) return `${html.trimEnd()}\n${line}\n`;
  return `${html.slice(0, end)}${line}\n${html.slice(end)}`;
}

// Enough for text and for attribute values in double quotes, which is all the line has.
const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

function escape(value: string): string {
  return value.replace(/[&<>"]/g, (char) => entities[char]);
}
