import { randomUUID } from 'node:crypto';
import type {
  ChannelContext, ChannelInstance, OutboundMessage, SendResult,
} from '../plugins/channel.ts';

/** What the sandbox would have sent, kept for whoever is trying the hub out. */
export interface SandboxRecord {
  providerId: string;
  channel: string;
  message: OutboundMessage;
  at: Date;
}

/** Only the latest sends are kept, so a long-running sandbox hub does not grow without end. */
const keptRecords = 1000;

export interface SandboxInstance extends ChannelInstance {
  readonly records: readonly SandboxRecord[];
}

/**
 * The provider behind every channel in the default config: it sends nothing, keeps what it
 * would have sent, and reports each message delivered, as a real provider's webhook would.
 */
export function createSandboxProvider(
  channel: string,
  context: ChannelContext<unknown>,
): SandboxInstance {
  const records: SandboxRecord[] = [];

  return {
    provider: 'sandbox',
    records,
    async send(message: OutboundMessage): Promise<SendResult> {
      const providerId = `sandbox-${randomUUID()}`;
      records.push({ providerId, channel, message, at: new Date() });
      if (records.length > keptRecords) records.shift();

      await context.events.status({
        provider: 'sandbox', providerId, status: 'delivered', eventId: `${providerId}:delivered`,
      });
      return { providerId };
    },
  };
}
