import { z } from '@hono/zod-openapi';
import { HubError } from '../errors.ts';
import { RecipientStore } from '../recipients/store.ts';
import type { HubServices } from '../services.ts';
import { changeConsent } from './changes.ts';
import { hasAcceptedPrivacyPolicy, storePrivacyAcceptance } from './store.ts';

/** Bookings made by the client themselves, which need their acceptance of the privacy policy. */
export const onlineScheduler = 'online_scheduler';

const moment = z.iso.datetime({ offset: true });

export const privacyPolicySchema = z.strictObject({
  version: z.string().min(1).max(64).describe("The version of the practice's privacy policy."),
  acceptedAt: moment.describe('When the client accepted it.'),
}).openapi('PrivacyPolicyAcceptance');

export const bookingConsentSchema = z.strictObject({
  optIn: z.boolean().describe('Whether the client agreed to receive messages.'),
  channels: z.array(z.string().max(32)).min(1).max(10).optional()
    .describe('The channels the answer covers; every enabled channel when absent.'),
  at: moment.optional().describe('When the client answered; the booking time when absent.'),
  privacyPolicy: privacyPolicySchema.optional(),
}).openapi('BookingConsent');

export type BookingConsent = z.infer<typeof bookingConsentSchema>;

export interface Booking {
  bookedVia?: string | null;
  consent?: BookingConsent;
}

/**
 * Records what a booking says about the client's consent, and refuses a booking through the
 * online scheduler by a client who has never accepted the practice's privacy policy: their
 * first online booking must carry that acceptance. The booking's other checks (the client
 * exists) are the trigger's.
 */
export async function recordBookingConsent(
  services: HubServices,
  accountId: string,
  clientRef: string,
  booking: Booking,
): Promise<void> {
  const { consent } = booking;
  const clients = new RecipientStore(services.database.db);
  const client = await clients.find(accountId, 'client', clientRef);
  if (!client) return;

  const recipient = { id: client.id, type: client.type, ref: client.ref };
  await services.database.db.transaction(async (tx) => {
    if (consent?.privacyPolicy) {
      const { version, acceptedAt } = consent.privacyPolicy;
      await storePrivacyAcceptance(tx, accountId, client.id, {
        version, acceptedAt: new Date(acceptedAt),
      });
    } else if (booking.bookedVia === onlineScheduler
      && !await hasAcceptedPrivacyPolicy(tx, client.id)) {
      throw new HubError('privacy_policy_required');
    }
    if (!consent) return;

    await changeConsent(tx, services, {
      accountId, recipient, channels: channelsOf(services, consent.channels),
      status: consent.optIn ? 'opted_in' : 'opted_out', source: 'host',
      detail: booking.bookedVia ?? null, at: consent.at ? new Date(consent.at) : services.clock(),
    });
  });
}

/** The channels a host's statement covers: those it names that are enabled, or all of them. */
export function channelsOf(services: HubServices, named: string[] | undefined): string[] {
  const enabled = services.plugins.channelIds;
  if (!named) return enabled;

  const unknown = named.filter((channel) => !enabled.includes(channel));
  if (unknown.length > 0) {
    throw new HubError('unknown_channel', { message: `No channel "${unknown[0]}" is enabled.` });
  }
  return named;
}
