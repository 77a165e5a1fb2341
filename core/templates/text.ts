import Handlebars from 'handlebars';

/**
 * Template files end with a newline and often start after a blank line below the front
 * matter; neither is part of the message. An SMS is trimmed fully, since every character
 * counts toward its segments.
 */
export function finishText(text: string, channel: string): string {
  if (channel === 'sms') return text.trim();
  return text.replace(/^(?:[ \t]*\n)+/, '').trimEnd();
}

/** A subject is a mail header: a line break in it would end the header or start another. */
export function finishSubject(subject: string): string {
  return subject.replace(/\s+/g, ' ').trim();
}

/** The HTML body of an email without an HTML variant: escaped text, in paragraphs. */
export function textToHtml(text: string): string {
  const paragraphs = text.split(/\n[ \t]*\n\s*/);
  const escape = Handlebars.Utils.escapeExpression;
  return paragraphs
    .map((paragraph) => `<p>${escape(paragraph).replaceAll('\n', '<br>\n')}</p>`)
    .join('\n');
}
