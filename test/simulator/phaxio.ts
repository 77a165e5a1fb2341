import type { SimApp, SimContext } from './context.ts';
import { hasBasicAuth, type Authorize } from './gate.ts';
import { field, fieldList, type ParsedBody, type UploadedFile } from './parse-body.ts';
import { blankPdf, countPages } from './pdf.ts';
import {
  cancelFax,
  finishFax,
  newFax,
  newRecipient,
  phaxioTime,
  type FaxLineBehavior,
  type FaxResource,
} from './phaxio-fax.ts';
import { sendPhaxioWebhook } from './phaxio-webhooks.ts';
import { isPhoneNumber } from './phone.ts';
import { phaxioError } from './provider-errors.ts';
import type { WebhookReply } from './webhooks.ts';

export interface StoredFax {
  resource: FaxResource;
  file?: UploadedFile;
  callbackUrl?: string;
}

export interface IncomingFax {
  /** The sending fax machine's number. */
  from: string;
  /** The hub's Phaxio number. */
  to: string;
  /** The received document; a blank PDF of `pages` pages when omitted. */
  pdf?: Uint8Array;
  pages?: number;
  /** Defaults to the `phaxioReceive` webhook URL. */
  url?: string;
}

export class PhaxioFaxes {
  readonly faxes = new Map<number, StoredFax>();
  private readonly ctx: SimContext;
  private readonly lines = new Map<string, FaxLineBehavior>();
  private nextId = 100_000_000 + Math.floor(Math.random() * 800_000_000);

  constructor(ctx: SimContext) {
    this.ctx = ctx;
  }

  mount(app: SimApp): void {
    app.post('/v2.1/faxes', async (c) => {
      const body = c.get('body');
      if (field(body.params, 'direction') === 'received') return this.testReceive(body);

      const problem = checkSend(body);
      if (problem) return phaxioError(422, problem);

      const fax = await this.create(body);
      if (this.ctx.options.autoWebhooks) {
        this.ctx.webhooks.run(`phaxio fax ${fax.resource.id}`, () => this.transmit(fax));
      }
      const data = { id: fax.resource.id };
      return c.json({ success: true, message: 'Fax queued for sending', data });
    });

    app.get('/v2.1/faxes/:id', (c) => {
      const fax = this.faxes.get(Number(c.req.param('id')));
      if (!fax) return phaxioError(404);
      return c.json({ success: true, message: 'Metadata for fax', data: fax.resource });
    });

    app.post('/v2.1/faxes/:id/cancel', (c) => {
      const fax = this.faxes.get(Number(c.req.param('id')));
      if (!fax) return phaxioError(404);
      if (fax.resource.completed_at) return phaxioError(422, 'Fax cannot be canceled');

      cancelFax(fax.resource);
      this.ctx.webhooks.run(`phaxio cancel ${fax.resource.id}`, async () => {
        await this.report(fax);
      });
      return c.json({ success: true, message: 'Fax canceled successfully.' });
    });

    app.get('/v2.1/faxes/:id/file', (c) => {
      const file = this.faxes.get(Number(c.req.param('id')))?.file;
      if (!file) return phaxioError(404, 'File not found');
      return c.body(Buffer.from(file.content), 200, { 'Content-Type': file.contentType });
    });
  }

  /** Sets how the fax line at a number answers; see `faxFailures` for ready-made failures. */
  setLine(number: string, behavior: FaxLineBehavior): void {
    this.lines.set(number, behavior);
  }

  /**
   * Finishes a sent fax now, each recipient per its line, and posts `fax_completed`. Runs by
   * itself after each send unless `autoWebhooks` is off.
   */
  async complete(id: number): Promise<WebhookReply | undefined> {
    const fax = this.get(id);
    if (!fax.resource.completed_at) finishFax(fax.resource, (number) => this.line(number));
    return this.report(fax);
  }

  /** A fax arrives at the hub's number: the receive webhook, with the PDF as the `file` part. */
  async receive(incoming: IncomingFax): Promise<WebhookReply> {
    const url = incoming.url ?? this.ctx.urls.phaxioReceive;
    if (!url) throw new Error('No receive URL: set webhookUrls.phaxioReceive');

    const content = incoming.pdf ?? (await blankPdf(incoming.pages));
    const file = { field: 'file', filename: 'fax.pdf', contentType: 'application/pdf', content };
    const resource = newFax(this.nextId++, {
      direction: 'received',
      num_pages: await countPages(content),
      status: 'success',
      caller_id: incoming.from,
      from_number: incoming.from,
      to_number: incoming.to,
      completed_at: phaxioTime(),
    });
    this.faxes.set(resource.id, { resource, file });

    const fields = { direction: 'received', is_test: 'true', success: 'true' };
    return sendPhaxioWebhook(this.ctx, 'fax-received', url, resource, fields, file);
  }

  clear(): void {
    this.faxes.clear();
    this.lines.clear();
  }

  private get(id: number): StoredFax {
    const fax = this.faxes.get(id);
    if (!fax) throw new Error(`No fax ${id}`);
    return fax;
  }

  private line(number: string): FaxLineBehavior {
    return this.lines.get(number) ?? { outcome: 'success' };
  }

  private async create(body: ParsedBody): Promise<StoredFax> {
    const files = body.files.filter((file) => file.field === 'file' || file.field === 'file[]');
    const urls = fieldList(body.params, 'content_url', 'content_url[]');
    let pages = urls.length;
    for (const file of files) pages += await countPages(file.content);

    const tags: Record<string, string> = {};
    for (const [name, value] of Object.entries(body.params)) {
      const tag = /^tag\[(.+)\]$/.exec(name)?.[1];
      if (tag) tags[tag] = Array.isArray(value) ? value[0] : value;
    }

    const recipients = fieldList(body.params, 'to', 'to[]').map(newRecipient);
    const callerId = field(body.params, 'caller_id') ?? null;
    const fields = { num_pages: pages, tags, recipients, caller_id: callerId };
    const resource = newFax(this.nextId++, fields);
    const fax = { resource, file: files[0], callbackUrl: field(body.params, 'callback_url') };
    this.faxes.set(resource.id, fax);
    return fax;
  }

  private async transmit(fax: StoredFax): Promise<void> {
    await this.ctx.webhooks.wait();
    if (fax.resource.completed_at) return;
    fax.resource.status = 'inprogress';
    for (const recipient of fax.resource.recipients) recipient.status = 'inprogress';

    await this.ctx.webhooks.wait();
    if (fax.resource.completed_at) return;
    await this.complete(fax.resource.id);
  }

  private async report(fax: StoredFax): Promise<WebhookReply | undefined> {
    const url = fax.callbackUrl ?? this.ctx.urls.phaxioSendCallback;
    if (!url) return undefined;
    const fields = { event_type: 'fax_completed' };
    return sendPhaxioWebhook(this.ctx, 'fax-completed', url, fax.resource, fields);
  }

  /** Phaxio's test-receive call: a fax "arrives" with the uploaded file. */
  private async testReceive(body: ParsedBody): Promise<Response> {
    const from = field(body.params, 'from_number') ?? '+15555550100';
    const to = field(body.params, 'to_number') ?? '+15555550199';
    const pdf = body.files[0]?.content;
    this.ctx.webhooks.run('phaxio test receive', async () => {
      await this.receive({ from, to, pdf });
    });
    return Response.json({ success: true, message: 'Test fax received' });
  }
}

function checkSend(body: ParsedBody): string | undefined {
  const to = fieldList(body.params, 'to', 'to[]');
  if (to.length === 0) return 'You must provide at least one recipient (to).';
  const invalid = to.find((number) => !isPhoneNumber(number));
  if (invalid) return `Invalid recipient: ${invalid}`;

  const hasFile = body.files.some((file) => file.field === 'file' || file.field === 'file[]');
  const hasUrl = fieldList(body.params, 'content_url', 'content_url[]').length > 0;
  if (!hasFile && !hasUrl) return 'You must provide a file or content_url.';
  if ((field(body.params, 'header_text') ?? '').length > 50) return 'header_text is too long.';
  return undefined;
}

export const authorizePhaxio = (apiKey: string, apiSecret: string): Authorize => (request) =>
  hasBasicAuth(request, apiKey, apiSecret) ? undefined : phaxioError(401);
