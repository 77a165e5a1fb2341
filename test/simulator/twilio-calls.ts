import type { SimApp, SimContext } from './context.ts';
import { field, fieldList, type Params } from './parse-body.ts';
import { isPhoneNumber } from './phone.ts';
import { twilioError } from './provider-errors.ts';
import {
  endCall,
  newCallResource,
  sipCode,
  type CallBehavior,
  type CallStatus,
  type StoredCall,
  type VoiceReply,
} from './twilio-call-resource.ts';
import { apiVersion, sendTwilioWebhook, twilioDate } from './twilio-common.ts';
import { findGather, findRedirect } from './twiml.ts';

export class TwilioCalls {
  readonly calls = new Map<string, StoredCall>();
  private readonly ctx: SimContext;
  private readonly behaviors = new Map<string, CallBehavior>();

  constructor(ctx: SimContext) {
    this.ctx = ctx;
  }

  mount(app: SimApp): void {
    const base = '/2010-04-01/Accounts/:account';
    app.post(`${base}/Calls.json`, (c) => {
      const params = c.get('body').params;
      const rejection = this.check(params);
      if (rejection) return rejection;

      const call = this.create(params);
      if (this.ctx.options.autoWebhooks) {
        this.runInBackground(call, () => this.connect(call.resource.sid));
      }
      return c.json(call.resource, 201);
    });

    app.get(`${base}/Calls/:file`, (c) => {
      const call = this.calls.get(c.req.param('file').replace(/\.json$/, ''));
      return call ? c.json(call.resource) : twilioError(20404);
    });

    app.post(`${base}/Calls/:file`, (c) => {
      const call = this.calls.get(c.req.param('file').replace(/\.json$/, ''));
      if (!call) return twilioError(20404);
      this.update(call, c.get('body').params);
      return c.json(call.resource);
    });
  }

  setBehavior(number: string, behavior: CallBehavior): void {
    this.behaviors.set(number, behavior);
  }

  /**
   * Places a created call: ringing, then either an unanswered end or an answer that runs its
   * TwiML (fetching `Url` with the call's parameters) until the document ends the call. Runs by
   * itself after each create unless `autoWebhooks` is off.
   */
  async connect(sid: string): Promise<void> {
    const call = this.get(sid);
    const behavior = this.behaviors.get(call.resource.to) ?? {};
    await this.progress(call, 'initiated', 'queued');
    await this.progress(call, 'ringing', 'ringing');

    const outcome = behavior.outcome ?? 'completed';
    if (outcome !== 'completed') return this.finish(sid, outcome, 0);

    call.resource.start_time = twilioDate();
    if (call.machineDetection) call.resource.answered_by = behavior.answeredBy ?? 'human';
    await this.progress(call, 'answered', 'in-progress');

    const { url, method, twiml } = call.source;
    if (url) await this.fetchDocument(call, url, method, {}, 'voice-url');
    else if (twiml) call.twiml.push(twiml);
    await this.execute(call);
  }

  /**
   * The callee presses keys at the current `<Gather>`: Twilio posts `Digits` to its action URL,
   * signed, and runs the TwiML it gets back. `actionUrl` overrides the document's action.
   */
  async pressDigits(sid: string, digits: string, actionUrl?: string): Promise<VoiceReply> {
    const call = this.get(sid);
    const reply = await this.gather(call, digits, actionUrl);
    if (call.resource.status === 'in-progress') {
      this.runInBackground(call, () => this.execute(call));
    }
    return reply;
  }

  /** Ends the call: the final status callback, with `CallDuration`. */
  async hangUp(sid: string, status: CallStatus = 'completed', durationSec?: number) {
    const call = this.get(sid);
    const behavior = this.behaviors.get(call.resource.to) ?? {};
    const answered = status === 'completed';
    const duration = durationSec ?? (answered ? (behavior.durationSec ?? 12) : 0);
    await this.finish(sid, status, duration);
  }

  /** The last TwiML document the call ran. */
  lastTwiml(sid: string): string | undefined {
    return this.get(sid).twiml.at(-1);
  }

  clear(): void {
    this.calls.clear();
    this.behaviors.clear();
  }

  private get(sid: string): StoredCall {
    const call = this.calls.get(sid);
    if (!call) throw new Error(`No call ${sid}`);
    return call;
  }

  private check(params: Params): Response | undefined {
    const to = field(params, 'To');
    if (!to) return twilioError(21201);
    if (!field(params, 'From')) return twilioError(21213);
    if (!field(params, 'Url') && !field(params, 'Twiml') && !field(params, 'ApplicationSid')) {
      return twilioError(21205);
    }
    if (!isPhoneNumber(to)) {
      return twilioError(21211, 400, `The 'To' number ${to} is not a valid phone number.`);
    }
    const reject = this.behaviors.get(to)?.reject;
    return reject === undefined ? undefined : twilioError(reject);
  }

  private create(params: Params): StoredCall {
    const { accountSid } = this.ctx.options.twilio;
    const from = field(params, 'From') ?? '';
    const resource = newCallResource(accountSid, from, field(params, 'To') ?? '');
    const events = fieldList(params, 'StatusCallbackEvent');
    const call: StoredCall = {
      resource,
      source: {
        url: field(params, 'Url'),
        method: field(params, 'Method'),
        twiml: field(params, 'Twiml'),
      },
      statusCallback: field(params, 'StatusCallback'),
      statusCallbackMethod: field(params, 'StatusCallbackMethod') ?? 'POST',
      events: new Set(events.length > 0 ? events : ['completed']),
      machineDetection: field(params, 'MachineDetection') !== undefined,
      twiml: [],
      sequence: 0,
      digitsPressed: false,
    };
    this.calls.set(resource.sid, call);
    return call;
  }

  /** A live call modified by the REST API: hang it up, or give it new TwiML. */
  private update(call: StoredCall, params: Params): void {
    const status = field(params, 'Status');
    if (status === 'completed' || status === 'canceled') {
      const final = call.resource.status === 'in-progress' ? 'completed' : 'canceled';
      this.runInBackground(call, () => this.hangUp(call.resource.sid, final));
      return;
    }

    const url = field(params, 'Url');
    const twiml = field(params, 'Twiml');
    this.runInBackground(call, async () => {
      if (url) await this.fetchDocument(call, url, field(params, 'Method'), {}, 'voice-url');
      else if (twiml) call.twiml.push(twiml);
      await this.execute(call);
    });
  }

  private runInBackground(call: StoredCall, work: () => Promise<void>): void {
    this.ctx.webhooks.run(`twilio call ${call.resource.sid}`, work);
  }

  /** Runs the current document: presses keys, follows redirects, or lets the call end. */
  private async execute(call: StoredCall): Promise<void> {
    const behavior = this.behaviors.get(call.resource.to) ?? {};
    for (let step = 0; step < 20 && call.resource.status === 'in-progress'; step++) {
      const twiml = call.twiml.at(-1) ?? '';
      const gather = findGather(twiml);
      if (gather && behavior.digits !== undefined && !call.digitsPressed) {
        await this.ctx.webhooks.wait();
        await this.gather(call, behavior.digits);
        continue;
      }
      if (gather && behavior.holdForInput) return;

      // With no key pressed, Twilio falls through past the Gather to the following verbs.
      const redirect = findRedirect(twiml);
      if (!redirect) break;
      const target = new URL(redirect.url, call.documentUrl).href;
      await this.fetchDocument(call, target, redirect.method, {}, 'voice-redirect');
    }
    if (call.resource.status === 'in-progress') await this.hangUp(call.resource.sid);
  }

  private async gather(call: StoredCall, digits: string, actionUrl?: string) {
    const gather = findGather(call.twiml.at(-1) ?? '');
    const action = actionUrl ?? gather?.action ?? call.documentUrl;
    if (!action) throw new Error(`Call ${call.resource.sid} has no Gather action URL`);

    call.digitsPressed = true;
    const url = new URL(action, call.documentUrl).href;
    const extra = { Digits: digits, FinishedOnKey: '', msg: 'Gather End' };
    return this.fetchDocument(call, url, gather?.method, extra, 'voice-gather');
  }

  private async fetchDocument(
    call: StoredCall,
    url: string,
    method: string | undefined,
    extra: Record<string, string>,
    kind: string,
  ): Promise<VoiceReply> {
    const params = { ...this.callParams(call), ...extra };
    const reply = await sendTwilioWebhook(this.ctx, kind, url, params, method ?? 'POST');
    call.twiml.push(reply.body);
    call.documentUrl = url;
    return { status: reply.status, twiml: reply.body };
  }

  private async progress(call: StoredCall, event: string, status: CallStatus): Promise<void> {
    call.resource.status = status;
    call.resource.date_updated = twilioDate();
    if (!call.events.has(event)) return;
    await this.ctx.webhooks.wait();
    await this.statusCallback(call, status === 'queued' ? 'initiated' : status, {});
  }

  private async finish(sid: string, status: CallStatus, durationSec: number): Promise<void> {
    const call = this.get(sid);
    if (call.resource.end_time) return;
    endCall(call.resource, status, durationSec);
    if (!call.events.has('completed')) return;

    await this.ctx.webhooks.wait();
    const extra = {
      CallDuration: String(durationSec),
      Duration: String(Math.ceil(durationSec / 60)),
      SipResponseCode: sipCode(status),
    };
    await this.statusCallback(call, status, extra);
  }

  private async statusCallback(call: StoredCall, status: string, extra: Record<string, string>) {
    if (!call.statusCallback) return;
    const params = {
      ...this.callParams(call),
      CallStatus: status,
      CallbackSource: 'call-progress-events',
      SequenceNumber: String(call.sequence++),
      Timestamp: twilioDate(),
      ...extra,
    };
    const method = call.statusCallbackMethod;
    await sendTwilioWebhook(this.ctx, 'call-status', call.statusCallback, params, method);
  }

  /** The parameters Twilio puts on every voice webhook. */
  private callParams(call: StoredCall): Record<string, string> {
    const { resource } = call;
    const params: Record<string, string> = {
      AccountSid: resource.account_sid,
      ApiVersion: apiVersion,
      CallSid: resource.sid,
      CallStatus: resource.status,
      Called: resource.to,
      Caller: resource.from,
      Direction: resource.direction,
      From: resource.from,
      To: resource.to,
    };
    if (resource.answered_by) params.AnsweredBy = resource.answered_by;
    return params;
  }
}
