export { startSimulator, Simulator } from './server.ts';
export {
  defaultCredentials,
  type PhaxioCredentials,
  type Provider,
  type SendGridCredentials,
  type SimulatorOptions,
  type TwilioCredentials,
  type WebhookUrls,
} from './options.ts';
export type { FailForSpec, FailNextSpec, FaultSpec } from './faults.ts';
export type { RecordedFile, RecordedRequest } from './recorder.ts';
export type { BackgroundFailure, SentWebhook, WebhookReply } from './webhooks.ts';
export type { MessageResource, MessageStatus, SmsDestination } from './twilio-messages.ts';
export type { InboundMedia, InboundSms, InboundSmsResult } from './twilio-inbound.ts';
export type {
  CallBehavior,
  CallResource,
  CallStatus,
  StoredCall,
  VoiceReply,
} from './twilio-call-resource.ts';
export type { EventRequest, MailboxBehavior } from './sendgrid.ts';
export type { MailEvent, MailEventType, StoredMail } from './sendgrid-events.ts';
export type { InboundAttachment, InboundEmail } from './sendgrid-inbound.ts';
export type { IncomingFax, StoredFax } from './phaxio.ts';
export { faxFailures, type FaxLineBehavior, type FaxResource } from './phaxio-fax.ts';
export { phaxioSignature, twilioSignature, eventWebhookSignature } from './signing.ts';
export { countSegments } from './segments.ts';
export { messageBodies, spokenTexts, findGather } from './twiml.ts';
