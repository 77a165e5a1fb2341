import { and, desc, eq, inArray, lt } from 'drizzle-orm';
import { generateId } from '../accounts/keys.ts';
import { outbox } from '../db/schema.ts';
import { HubError } from '../errors.ts';
import type { HubServices } from '../services.ts';
import { queueAttempts } from './deliveries.ts';
import type { EventType } from './events.ts';
import { generateSecret } from './signature.ts';
import { callbackAttempts, callbackDeliveries, callbackEndpoints } from './tables.ts';

export type Endpoint = typeof callbackEndpoints.$inferSelect;
export type Delivery = typeof callbackDeliveries.$inferSelect;
export type Attempt = typeof callbackAttempts.$inferSelect;

/** A delivery as the API shows it: with its event's type and every attempt. */
export interface DeliveryView {
  delivery: Delivery;
  eventType: string;
  attempts: Attempt[];
}

export interface EndpointInput {
  url: string;
  events: EventType[];
  description?: string;
}

/** Callback endpoints of the accounts, their deliveries and the attempts of each. */
export class CallbackStore {
  readonly #services: HubServices;

  constructor(services: HubServices) {
    this.#services = services;
  }

  get #db() {
    return this.#services.database.db;
  }

  /** Registers an endpoint; the returned row holds the secret, which is shown this once. */
  async create(accountId: string, input: EndpointInput): Promise<Endpoint> {
    const [row] = await this.#db.insert(callbackEndpoints).values({
      id: generateId('cbe'), accountId, url: input.url, eventTypes: [...new Set(input.events)],
      description: input.description ?? null, secret: generateSecret(),
      createdAt: this.#services.clock(),
    }).returning();
    return row;
  }

  async list(accountId: string): Promise<Endpoint[]> {
    return this.#db.select().from(callbackEndpoints)
      .where(eq(callbackEndpoints.accountId, accountId))
      .orderBy(callbackEndpoints.createdAt);
  }

  /** Removes an endpoint with its deliveries; their queued attempts find nothing to do. */
  async remove(accountId: string, id: string): Promise<void> {
    const removed = await this.#db.delete(callbackEndpoints)
      .where(and(eq(callbackEndpoints.accountId, accountId), eq(callbackEndpoints.id, id)))
      .returning({ id: callbackEndpoints.id });
    if (removed.length === 0) throw notFound('callback endpoint');
  }

  /** The endpoint's deliveries, newest first, each with its event type and attempts. */
  async deliveries(
    accountId: string,
    endpointId: string,
    page: { before?: Date; limit: number },
  ): Promise<DeliveryView[]> {
    await this.#endpoint(accountId, endpointId);
    const rows = await this.#db
      .select({ delivery: callbackDeliveries, eventType: outbox.type })
      .from(callbackDeliveries)
      .innerJoin(outbox, eq(outbox.id, callbackDeliveries.eventId))
      .where(and(
        eq(callbackDeliveries.endpointId, endpointId),
        page.before ? lt(callbackDeliveries.createdAt, page.before) : undefined,
      ))
      .orderBy(desc(callbackDeliveries.createdAt), desc(callbackDeliveries.id))
      .limit(page.limit);

    const attempts = await this.#attemptsOf(rows.map((row) => row.delivery.id));
    return rows.map(({ delivery, eventType }) => ({
      delivery, eventType, attempts: attempts.get(delivery.id) ?? [],
    }));
  }

  /**
   * Sends a delivery's event to its endpoint again, as a new delivery with the same event id
   * (the `webhook-id`), so a host that already has it can tell.
   */
  async replay(accountId: string, deliveryId: string): Promise<DeliveryView> {
    const [original] = await this.#db
      .select({ delivery: callbackDeliveries, eventType: outbox.type })
      .from(callbackDeliveries)
      .innerJoin(outbox, eq(outbox.id, callbackDeliveries.eventId))
      .where(and(
        eq(callbackDeliveries.accountId, accountId), eq(callbackDeliveries.id, deliveryId),
      ));
    if (!original) throw notFound('delivery');
    const endpoint = await this.#endpoint(accountId, original.delivery.endpointId);
    if (!endpoint.enabled) {
      throw new HubError('conflict', { message: 'The endpoint is disabled; register it again.' });
    }

    const at = this.#services.clock();
    const replay = await this.#db.transaction(async (tx) => {
      const [row] = await tx.insert(callbackDeliveries).values({
        endpointId: endpoint.id, accountId, eventId: original.delivery.eventId,
        replayOf: original.delivery.id, nextAttemptAt: at, createdAt: at, updatedAt: at,
      }).returning();
      await queueAttempts(tx, this.#services, [row], 0);
      return row;
    });
    return { delivery: replay, eventType: original.eventType, attempts: [] };
  }

  async #endpoint(accountId: string, id: string): Promise<Endpoint> {
    const [row] = await this.#db.select().from(callbackEndpoints)
      .where(and(eq(callbackEndpoints.accountId, accountId), eq(callbackEndpoints.id, id)));
    if (!row) throw notFound('callback endpoint');
    return row;
  }

  async #attemptsOf(deliveryIds: string[]): Promise<Map<string, Attempt[]>> {
    const byDelivery = new Map<string, Attempt[]>();
    if (deliveryIds.length === 0) return byDelivery;

    const rows = await this.#db.select().from(callbackAttempts)
      .where(inArray(callbackAttempts.deliveryId, deliveryIds))
      .orderBy(callbackAttempts.id);
    for (const row of rows) {
      const attempts = byDelivery.get(row.deliveryId);
      if (attempts) attempts.push(row);
      else byDelivery.set(row.deliveryId, [row]);
    }
    return byDelivery;
  }
}

function notFound(what: string): HubError {
  return new HubError('not_found', { message: `No such ${what}.` });
}
