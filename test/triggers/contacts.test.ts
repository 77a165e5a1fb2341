import { PDFDocument } from 'pdf-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SandboxInstance } from '../../core/sandbox/sandbox-provider.ts';
import { controlledClock } from '../../core/scheduling/clock.ts';
import { createAccount, eventually, startTestHub, type TestHub } from '../support/hub.ts';

const clock = controlledClock();

let testHub: TestHub;
let account: { id: string; key: string };
let pdf: string;

beforeAll(async () => {
  testHub = await startTestHub({ clock });
  account = await createAccount(testHub, 'hillside', {
    practicePhone: '+12025550100', timeZone: 'America/Denver',
  });
  await call('PUT', '/contacts/dr-ray', {
    firstName: 'Ray', lastName: 'Ortiz', fax: '+12025550190', channel: 'efax',
  });
  await call('PUT', '/contacts/no-fax', { firstName: 'Sue', channel: 'efax' });
  await call('PUT', '/clients/n-1', {
    firstName: 'Nia', phone: '+12025550191', channel: 'sms', language: 'es',
  });

  const document = await PDFDocument.create();
  document.addPage();
  pdf = Buffer.from(await document.save()).toString('base64');
});

function call(method: string, path: string, body?: unknown) {
  return testHub.api(account.key, method, `/v1/accounts/hillside${path}`, body);
}

async function readMessage(id: string) {
  return (await call('GET', `/messages/${id}`)).body;
}

function faxes() {
  return (testHub.hub.services.plugins.instance('efax') as SandboxInstance).records;
}

describe('documents to a contact', () => {
  it('sends the PDFs by eFax behind a cover page from the template', async () => {
    const sent = await call('POST', '/contacts/dr-ray/documents', {
      documents: [{ filename: 'referral.pdf', content: pdf }], note: 'Referral for an MRI.',
    });

    expect(sent.status).toBe(202);
    const message = await eventually(async () => {
      const read = await readMessage(sent.body.id);
      return read.status === 'delivered' && read;
    });
    expect(message.channel).toBe('efax');
    expect(message.content.subject).toBe('Documents from Practice hillside');
    expect(message.content.text).toContain('To: Ray Ortiz');
    expect(message.content.text).toContain('Referral for an MRI.');
    const fax = faxes().find((record) => record.message.messageId === sent.body.id)!;
    expect(fax.message.attachments.map((file) => file.filename)).toEqual(['referral.pdf']);
  });

  it('refuses a contact without a fax number, and a file that is not a PDF', async () => {
    const noFax = await call('POST', '/contacts/no-fax/documents', {
      documents: [{ filename: 'a.pdf', content: pdf }],
    });
    const notPdf = await call('POST', '/contacts/dr-ray/documents', {
      documents: [{ filename: 'a.pdf', content: Buffer.from('hello').toString('base64') }],
    });

    expect(noFax.status).toBe(422);
    expect(notPdf.status).toBe(400);
  });
});

describe('copying a contact on a client messages', () => {
  it('sends the contact a copy of each reminder, as the client reads it', async () => {
    clock.set('2030-09-02T16:00:00Z');

    const booked = await call('PUT', '/appointments/ap-1', {
      clientRef: 'n-1', start: '2030-09-05T16:00:00Z', copyTo: ['dr-ray'],
    });

    const kinds = booked.body.messages.map((m: any) => m.kind);
    expect(kinds).toEqual(['booked', 'booked', 'reminder', 'reminder', 'reminder', 'reminder']);
    const { body } = await call('GET', '/messages?recipientRef=dr-ray&trigger=appointment');
    expect(body.messages).toHaveLength(3);
    const copy = body.messages.find((m: any) => m.kind === 'reminder');
    expect(copy.channel).toBe('efax');
    expect(copy.content.text).toContain('Nia');
    expect(copy.content.text).toContain('10:00');
    expect(copy.content.subject).toMatch(/^Reminder: your appointment on Thursday, September 5/);
    clock.release();
  });
});
