import type { PlannedMessage } from '../../core/plugins/trigger.ts';
import { durationKey, parseDuration } from '../../core/scheduling/durations.ts';
import type { FormsConfig } from './config.ts';
import type { FormRequest } from './form-request.ts';

/**
 * The request, then its follow-ups, while the request is open. Every message expires with
 * the link: a link that no longer works is not worth sending.
 */
export function planFormRequest(
  ref: string,
  request: FormRequest,
  config: FormsConfig,
): PlannedMessage[] {
  if (request.status !== 'open') return [];

  const requestedAt = new Date(request.requestedAt);
  const expiresAt = new Date(request.expiresAt);
  const followUps = config.followUps.map((after) => ({
    name: `follow-up:${durationKey(after)}`,
    sendAt: new Date(requestedAt.getTime() + parseDuration(after)),
  }));

  return [{ name: 'request', sendAt: requestedAt }, ...followUps]
    .filter(({ sendAt }) => sendAt < expiresAt)
    .map(({ name, sendAt }) => ({
      key: `form-request:${ref}:r${request.revision}:${name}:client:${request.clientRef}`,
      kind: name === 'request' ? 'request' : 'follow-up',
      recipient: { type: 'client', ref: request.clientRef },
      channel: request.channel ?? undefined,
      sendAt,
      expiresAt,
      data: templateData(request),
      // Asked for by a person at the practice: an unreachable client is refused at once.
      manual: true,
    }));
}

/** The link and code only: the names of the forms stay out of messages. */
function templateData(request: FormRequest) {
  return {
    forms: { count: request.forms.length },
    link: request.link,
    accessCode: request.accessCode,
    expiresAt: request.expiresAt,
  };
}
