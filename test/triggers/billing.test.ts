import { DateTime } from 'luxon';
import { beforeAll, describe, expect, it } from 'vitest';
import { controlledClock } from '../../core/scheduling/clock.ts';
import { createAccount, startTestHub, type TestHub } from '../support/hub.ts';

// The clock stands years ahead of real time: every message is planned, none comes due.
const clock = controlledClock();
const zone = 'America/Chicago';
const at = (local: string) => DateTime.fromISO(local, { zone }).toUTC().toISO()!;

let testHub: TestHub;
let account: { id: string; key: string };

beforeAll(async () => {
  testHub = await startTestHub({ clock });
  account = await createAccount(testHub, 'westside');
  await call('PUT', '/clients/p-1', {
    firstName: 'Lou', email: 'lou@example.com', channel: 'email', timeZone: zone,
  });
});

function call(method: string, path: string, body?: unknown) {
  return testHub.api(account.key, method, `/v1/accounts/westside${path}`, body);
}

const invoice = {
  clientRef: 'p-1', amountDue: 12050, currency: 'usd', dueDate: '2030-05-20',
  paymentLink: 'https://pay.example.com/i/1',
};

let issued: any[];

const plan = (body: any) => body.messages.map((m: any) => [m.kind, m.status, m.sendAt]);

describe('billing', () => {
  it('plans reminders before the due date and late notices after it, at 10:00 local time',
    async () => {
      clock.set(at('2030-05-01T09:00'));

      const response = await call('PUT', '/invoices/i-1', invoice);

      expect(response.status).toBe(201);
      expect(response.body.currency).toBe('USD');
      issued = response.body.messages;
      expect(plan(response.body)).toEqual([
        ['reminder', 'scheduled', at('2030-05-13T10:00')],
        ['reminder', 'scheduled', at('2030-05-20T10:00')],
        ['late-notice', 'scheduled', at('2030-05-23T10:00')],
        ['late-notice', 'scheduled', at('2030-06-03T10:00')],
      ]);
    });

  it('lets reminders lapse once the due date is over, and late notices never', async () => {
    const expiries = await Promise.all(issued.map(async ({ id }) => {
      const { body } = await call('GET', `/messages/${id}`);
      return [body.template, body.expiresAt];
    }));

    expect(expiries).toEqual([
      ['billing/reminder', at('2030-05-21T00:00')],
      ['billing/reminder', at('2030-05-21T00:00')],
      ['billing/late-notice', null],
      ['billing/late-notice', null],
    ]);
  });

  it('plans nothing twice when the invoice arrives again', async () => {
    const again = await call('PUT', '/invoices/i-1', invoice);

    expect(again.status).toBe(200);
    const { body } = await call('GET', '/messages?trigger=billing&recipientRef=p-1');
    expect(body.messages).toHaveLength(4);
  });

  it('leaves out what is already past for an invoice issued late', async () => {
    clock.set(at('2030-05-22T12:00'));

    const late = await call('PUT', '/invoices/i-2', invoice);

    expect(plan(late.body)).toEqual([
      ['late-notice', 'scheduled', at('2030-05-23T10:00')],
      ['late-notice', 'scheduled', at('2030-06-03T10:00')],
    ]);
  });

  it('cancels everything pending when the invoice is paid', async () => {
    clock.set(at('2030-05-02T09:00'));

    const paid = await call('PUT', '/invoices/i-1', { ...invoice, status: 'paid' });

    expect(paid.body.messages).toEqual([]);
    for (const { id } of issued) {
      const { body } = await call('GET', `/messages/${id}`);
      expect(body).toMatchObject({ status: 'cancelled', statusReason: 'superseded' });
    }
    const other = await call('GET', '/messages?trigger=billing&status=scheduled');
    expect(other.body.messages).toHaveLength(2);
  });

  it('refuses an unknown currency and a malformed due date', async () => {
    const currency = await call('PUT', '/invoices/i-3', { ...invoice, currency: 'XYZ' });
    const dueDate = await call('PUT', '/invoices/i-3', { ...invoice, dueDate: '2030-02-30' });

    expect(currency.status).toBe(400);
    expect(dueDate.status).toBe(400);
  });
});
