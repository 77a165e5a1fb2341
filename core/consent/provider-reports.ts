import { eq } from 'drizzle-orm';
import { recipients } from '../db/schema.ts';
import type { Executor } from '../messages/status-log.ts';
import type { HubServices } from '../services.ts';
import { changeConsent, channelsReaching } from './changes.ts';

interface ReportedMessage {
  id: string;
  accountId: string;
  recipientId: string | null;
  channel: string;
}

/**
 * A provider's report that the recipient of a message wants no more of its channel (a spam
 * report, an unsubscribe through the provider's own link) opts them out of every channel
 * reaching the same address, as a STOP does, in the caller's transaction. Returns the
 * channels whose consent changed.
 */
export async function optOutReported(
  tx: Executor,
  services: HubServices,
  message: ReportedMessage,
  detail: string,
): Promise<string[]> {
  if (!message.recipientId) return [];
  const [recipient] = await tx
    .select({ id: recipients.id, type: recipients.type, ref: recipients.ref })
    .from(recipients).where(eq(recipients.id, message.recipientId));
  if (!recipient) return [];

  return changeConsent(tx, services, {
    accountId: message.accountId, recipient,
    channels: channelsReaching(services, message.channel),
    status: 'opted_out', source: 'provider_report', detail, messageId: message.id,
    at: services.clock(),
  });
}
