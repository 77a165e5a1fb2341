/**
 * What the audit log calls each account route, by method and route pattern with the parameter
 * names left out (`GET /v1/accounts/:/messages/:`), so that a route keeps its action when a
 * parameter is renamed. A route missing here is still recorded, under its method and pattern;
 * adding its line here gives it a name a reader can filter on.
 */
const actions: Record<string, string> = {
  'GET /v1/accounts/:': 'account.read',
  'PATCH /v1/accounts/:': 'account.update',
  'POST /v1/accounts/:/keys': 'key.create',
  'GET /v1/accounts/:/keys': 'key.list',
  'DELETE /v1/accounts/:/keys/:': 'key.revoke',
  'GET /v1/accounts/:/audit': 'audit.list',

  'PUT /v1/accounts/:/clients/:': 'recipient.write',
  'GET /v1/accounts/:/clients/:': 'recipient.read',
  'PUT /v1/accounts/:/contacts/:': 'recipient.write',
  'GET /v1/accounts/:/contacts/:': 'recipient.read',
  'POST /v1/accounts/:/clients/:/consent': 'consent.write',
  'GET /v1/accounts/:/clients/:/consent': 'consent.read',
  'POST /v1/accounts/:/contacts/:/consent': 'consent.write',
  'GET /v1/accounts/:/contacts/:/consent': 'consent.read',

  'POST /v1/accounts/:/messages': 'message.create',
  'GET /v1/accounts/:/messages': 'message.list',
  'GET /v1/accounts/:/messages/:': 'message.read',
  'GET /v1/accounts/:/messages/:/attachments/:': 'attachment.read',
  'POST /v1/accounts/:/messages/:/resolve': 'message.resolve',
  'GET /v1/accounts/:/threads': 'thread.list',
  'GET /v1/accounts/:/threads/:': 'thread.read',
  'POST /v1/accounts/:/threads/:/read': 'thread.mark-read',
  'POST /v1/accounts/:/sandbox/replies': 'message.simulate-reply',

  'PUT /v1/accounts/:/appointments/:': 'appointment.write',
  'PUT /v1/accounts/:/invoices/:': 'invoice.write',
  'POST /v1/accounts/:/form-requests': 'form-request.create',
  'PUT /v1/accounts/:/form-requests/:': 'form-request.write',
  'POST /v1/accounts/:/contacts/:/documents': 'document.create',

  'PUT /v1/accounts/:/users/:': 'user.write',
  'GET /v1/accounts/:/users/:': 'user.read',
  'DELETE /v1/accounts/:/users/:': 'user.delete',
  'POST /v1/accounts/:/credit/top-ups': 'credit.top-up',
  'GET /v1/accounts/:/credit': 'credit.read',

  'POST /v1/accounts/:/callbacks': 'callback.create',
  'GET /v1/accounts/:/callbacks': 'callback.list',
  'DELETE /v1/accounts/:/callbacks/:': 'callback.delete',
  'GET /v1/accounts/:/callbacks/:/deliveries': 'delivery.list',
  'POST /v1/accounts/:/deliveries/:/replay': 'delivery.replay',
};

/** The action of a route, or its method and pattern when it has no name yet. */
export function auditAction(method: string, pattern: string): string {
  const route = `${method} ${pattern}`;
  return actions[`${method} ${pattern.replace(/:[^/]+/g, ':')}`] ?? route;
}

/** Whether the route has a named action rather than the fallback. */
export function hasNamedAction(method: string, pattern: string): boolean {
  return auditAction(method, pattern) !== `${method} ${pattern}`;
}
