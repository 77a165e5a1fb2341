import type { Account } from '../accounts/store.ts';
import { consentTrigger } from '../consent/messages.ts';
import type { messages } from '../db/schema.ts';
import type { Keypad } from '../plugins/channel.ts';
import type { HubServices } from '../services.ts';

/**
 * The keys a call offers. An opt-in request by phone always takes 1, or it could not be
 * answered. Other automated calls take keys only where the account allows responses: 1 and
 * 2 when their trigger acts on answers (an appointment's reminder), 0 when the account has a
 * number to forward to. Calls a person sent take none.
 */
export function keypadFor(
  services: HubServices,
  account: Account,
  message: Pick<typeof messages.$inferSelect, 'manual' | 'trigger' | 'kind'>,
): Keypad | undefined {
  if (message.manual) return undefined;

  const { voiceResponses, forwardNumber } = account.settings;
  const forwardTo = voiceResponses && forwardNumber ? forwardNumber : undefined;
  if (message.trigger === consentTrigger) {
    return message.kind === 'opt-in-request' ? { answers: 'opt_in', forwardTo } : undefined;
  }
  if (!voiceResponses) return undefined;

  const trigger = services.plugins.triggers.get(message.trigger)?.plugin;
  const answers = trigger?.interpretReply ? 'confirm_cancel' as const : undefined;
  return answers || forwardTo ? { answers, forwardTo } : undefined;
}
