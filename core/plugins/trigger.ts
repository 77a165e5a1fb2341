import type { OpenAPIHono } from '@hono/zod-openapi';
import type { z } from 'zod';
import type { HubEnv } from '../http/env.ts';
import type { Logger } from '../log.ts';
import type { MessageBody, OutboundAttachment } from './channel.ts';

export type RecipientType = 'client' | 'contact';

/** A message a trigger wants to exist. */
export interface PlannedMessage {
  /**
   * Stable within the account: planning the same thing again yields the same key, so a retry
   * or a re-plan never creates a second message.
   */
  key: string;
  /** The kind of message (`reminder`, `notice`, `message`); names the template. */
  kind: string;
  recipient: { type: RecipientType; ref: string };
  /** The channel to use; the recipient's assigned channel when absent. */
  channel?: string;
  sendAt: Date;
  /** After this moment the message is no longer worth sending. */
  expiresAt?: Date;
  /**
   * Literal content from the host, sent as it is. Without it the message is rendered at send
   * time from the template `<trigger>/<kind>` for its channel and the recipient's language.
   */
  body?: MessageBody;
  /** Files sent with the message, for channels that take attachments. */
  attachments?: OutboundAttachment[];
  /** Template data; the core adds `recipient` and `practice`. */
  data?: Record<string, unknown>;
  /**
   * Sent by a person through the API rather than planned automatically: an unusable address
   * is refused at once (422) instead of failing the message later.
   */
  manual?: boolean;
}

/** The thing messages are about (an appointment, an invoice), stored with its latest state. */
export interface SubjectInput {
  type: string;
  ref: string;
  state: Record<string, unknown>;
}

export interface AcceptRequest {
  accountId: string;
  trigger: string;
  subject?: SubjectInput;
  messages: PlannedMessage[];
}

export interface AcceptedMessage {
  id: string;
  key: string;
  status: string;
  created: boolean;
}

/** The core's services a trigger uses. */
export interface TriggerContext<C> {
  config: C;
  log: Logger;
  /** The hub's clock; tests run it ahead. */
  clock: () => Date;
  /**
   * Stores the subject and the planned messages in one transaction and queues their
   * dispatch; a message whose key exists already is kept as it is.
   */
  accept(request: AcceptRequest): Promise<AcceptedMessage[]>;
}

/** What a template of this trigger needs, for checking every template at start. */
export interface TemplateNeeds {
  /** Data like the trigger's own, which every template of this kind must render with. */
  sampleData: Record<string, unknown>;
  /** Channels this kind is sent on; all enabled channels when absent. */
  channels?: string[];
}

/**
 * A trigger plugin turns host events into planned messages. Exported as the default export of
 * the plugin folder's `index.ts`.
 */
export interface TriggerPlugin<C = unknown> {
  kind: 'trigger';
  id: string;
  configSchema: z.ZodType<C>;
  /** The message kinds this trigger renders from templates, by kind. */
  templates: Record<string, TemplateNeeds>;
  /** Adds the trigger's host-facing routes (full paths under `/v1/accounts/{accountId}`). */
  routes(app: OpenAPIHono<HubEnv>, context: TriggerContext<C>): void;
}
