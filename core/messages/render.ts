import type { Account } from '../accounts/store.ts';
import type { recipients } from '../db/schema.ts';
import type { MessageBody } from '../plugins/channel.ts';
import type { TemplateEngine } from '../templates/index.ts';

type Recipient = typeof recipients.$inferSelect;

export interface RenderRequest {
  /** `<trigger>/<kind>` */
  template: string;
  channel: string;
  language: string;
  data: Record<string, unknown>;
}

/** Renders a message's template for its recipient, in their language and time zone. */
export function renderMessage(
  templates: TemplateEngine,
  account: Account,
  recipient: Recipient,
  request: RenderRequest,
): MessageBody {
  const [trigger, kind] = request.template.split('/');
  const rendered = templates.render({
    trigger,
    kind,
    channel: request.channel,
    language: request.language,
    accountId: account.id,
    timeZone: recipient.timeZone ?? account.settings.timeZone,
    data: templateData(account, recipient, request.data),
  });
  return { text: rendered.text, subject: rendered.subject, html: rendered.html };
}

/** The minimum a template needs about the people involved (HIPAA: no more than that). */
function templateData(account: Account, recipient: Recipient, data: Record<string, unknown>) {
  return {
    ...data,
    recipient: { firstName: recipient.firstName ?? '', lastName: recipient.lastName ?? '' },
    practice: { name: account.settings.practiceName, phone: account.settings.practicePhone },
  };
}
