import type { Account } from '../accounts/store.ts';
import type { recipients } from '../db/schema.ts';
import { HubError } from '../errors.ts';
import type { MessageBody } from '../plugins/channel.ts';
import type { PlannedMessage, RecipientType } from '../plugins/trigger.ts';
import type { HubServices } from '../services.ts';
import { TemplateRenderError } from '../templates/index.ts';
import { renderMessage } from './render.ts';

type Recipient = typeof recipients.$inferSelect;

/** A planned message, or a contact's copy of one. */
export interface PlannedOrCopy extends PlannedMessage {
  /** For a copy: whose message it copies. */
  copyOf?: { type: RecipientType; ref: string };
}

/**
 * The plan with a copy of each message for every contact it names in `copyTo`. A copy goes
 * through the contact's own channel, and fails rather than refuses when it cannot be sent.
 */
export function withCopies(planned: PlannedMessage[]): PlannedOrCopy[] {
  return planned.flatMap((message) => [
    message,
    ...(message.copyTo ?? []).map((ref): PlannedOrCopy => ({
      ...message,
      key: `${message.key}:copy:${ref}`,
      recipient: { type: 'contact', ref },
      channel: undefined,
      copyTo: undefined,
      manual: false,
      copyOf: message.recipient,
    })),
  ]);
}

export interface CopyToRender {
  template: string;
  channel: string;
  data: Record<string, unknown>;
  /** The recipient of the original message, whose name and time zone the copy shows. */
  original: Recipient;
  /** The contact who gets the copy, in whose language (or the account's) it is written. */
  contact: Recipient;
}

/**
 * Renders a copy now, for the original recipient, so it reads exactly as their message does.
 * Undefined when the template is missing or does not render: the copy then fails.
 */
export function renderCopy(
  services: HubServices,
  account: Account,
  copy: CopyToRender,
): MessageBody | undefined {
  const { original, contact } = copy;
  const language = contact.language ?? account.settings.language;
  try {
    return renderMessage(services.templates, account, original, {
      template: copy.template, channel: copy.channel, language, data: copy.data,
    });
  } catch (error) {
    const missing = error instanceof HubError && error.code === 'unknown_template';
    if (!missing && !(error instanceof TemplateRenderError)) throw error;
    return undefined;
  }
}
