import { z } from '@hono/zod-openapi';
import { refSchema } from '../../core/http/schemas.ts';
import { revise, type Revision } from '../../core/plugins/revision.ts';

export const formRequestStatuses = ['open', 'completed', 'cancelled'] as const;

export const formRequestInputSchema = z.strictObject({
  clientRef: refSchema.describe('The client, created first with `PUT .../clients/{ref}`.'),
  ref: refSchema.optional()
    .describe('Your own reference for the request; one is made up when absent.'),
  forms: z.array(z.string().min(1).max(200)).min(1).max(20)
    .describe('Names of the forms asked for. Messages carry how many, never their content.'),
  link: z.url({ protocol: /^https?$/ }).max(2000)
    .describe('Where the client fills them in.'),
  accessCode: z.string().min(1).max(64).optional()
    .describe('A code the client needs at the link, sent with it.'),
  expiresAt: z.iso.datetime({ offset: true }).optional()
    .describe("When the link stops working; the trigger's expiry (14 days) from now by default."),
  channel: z.string().max(32).optional()
    .describe("The channel to use; the client's assigned channel when absent."),
}).openapi('FormRequestInput');

export type FormRequestInput = z.infer<typeof formRequestInputSchema>;

export const formRequestUpdateSchema = z.strictObject({
  status: z.enum(['completed', 'cancelled'])
    .describe('Completed or cancelled: no follow-up goes out any more.'),
}).openapi('FormRequestUpdate');

/** A form request as stored with its subject. */
export interface FormRequest extends Revision {
  clientRef: string;
  forms: string[];
  link: string;
  accessCode: string | null;
  requestedAt: string;
  expiresAt: string;
  status: (typeof formRequestStatuses)[number];
  channel: string | null;
}

type Content = Omit<FormRequest, keyof Revision>;

export function toFormRequest(
  input: FormRequestInput,
  previous: Partial<FormRequest> | undefined,
  defaults: { now: Date; expiry: number },
): FormRequest {
  // A retry of the same request keeps its first times, so it plans the same messages.
  const requestedAt = previous?.requestedAt ?? defaults.now.toISOString();
  const expiresAt = input.expiresAt
    ? new Date(input.expiresAt).toISOString()
    : previous?.expiresAt ?? new Date(Date.parse(requestedAt) + defaults.expiry).toISOString();

  return withRevision({
    clientRef: input.clientRef,
    forms: input.forms,
    link: input.link,
    accessCode: input.accessCode ?? null,
    requestedAt,
    expiresAt,
    status: 'open',
    channel: input.channel ?? null,
  }, previous);
}

export function withRevision(content: Content, previous: Partial<FormRequest> | undefined) {
  const { clientRef, forms, link, accessCode, expiresAt, status } = content;
  const said = { clientRef, forms, link, accessCode, expiresAt, status };
  return { ...content, ...revise(previous, said) };
}
