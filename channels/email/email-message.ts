import type { ChannelInstance, OutboundMessage, SendResult } from '../../core/plugins/channel.ts';

/** An email as the channel hands it to its provider: the message and its own header fields. */
export interface EmailMessage extends OutboundMessage {
  /** Header fields beyond those the provider writes itself: `List-Unsubscribe`. */
  headers: Record<string, string>;
}

/** A provider behind the email channel, which sends emails the channel has finished. */
export type EmailProvider = Omit<ChannelInstance, 'send'> & {
  send(message: EmailMessage): Promise<SendResult>;
};
