import { z } from '@hono/zod-openapi';

export const errorSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.array(z.object({ path: z.string().optional(), message: z.string() })),
  }),
}).openapi('Error');

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: errorSchema } },
});

/** The error answers every authenticated route can give. */
export const commonErrors = {
  400: errorResponse('The request does not match the schema.'),
  401: errorResponse('No valid bearer key.'),
  404: errorResponse('No such resource, or not reachable with this key.'),
} as const;

export const accountIdParam = z.object({
  accountId: z.string().min(1).max(64).openapi({ param: { name: 'accountId', in: 'path' } }),
});

/** A host's own reference for a record: printable, no slashes. */
export const refSchema = z.string().min(1).max(128)
  .regex(/^[^/\s\p{Cc}]+$/u, 'No spaces, slashes or control characters');

export function jsonBody<T extends z.ZodType>(schema: T) {
  return { content: { 'application/json': { schema } }, required: true };
}

export function jsonResponse<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } };
}

export const bearerSecurity = [{ bearer: [] }];
