import type { Context, Hono } from 'hono';
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { and, eq } from 'drizzle-orm';
import type { Account } from '../accounts/store.ts';
import { recipients } from '../db/schema.ts';
import type { HubEnv } from '../http/env.ts';
import type { HubServices } from '../services.ts';
import { changeConsent, channelsReaching } from './changes.ts';
import { readLink, type LinkClaims, type LinkPurpose } from './links.ts';
import { channelWords, pageText, type PageText } from './page-text.ts';

/** What the POST of a page does, and how it reads once done. */
interface PageAction {
  purpose: LinkPurpose;
  title: (text: PageText) => string;
  question: (text: PageText, practice: string, by: string) => string;
  button: (text: PageText) => string;
  done: (text: PageText, practice: string, by: string) => { title: string; body: string[] };
  record: (services: HubServices, page: OpenedLink, oneClick: boolean) => Promise<void>;
  /** Whether a mail client may post to the page directly, as `List-Unsubscribe` lets it. */
  oneClick: boolean;
}

interface OpenedLink {
  claims: LinkClaims;
  account: Account;
  recipient: typeof recipients.$inferSelect;
  text: PageText;
  language: string;
}

const optIn: PageAction = {
  purpose: 'opt-in',
  title: (text) => text.optInTitle,
  question: (text, practice, by) => text.optInQuestion(practice, by),
  button: (text) => text.optInButton,
  done: (text, practice, by) => ({
    title: text.optedInTitle, body: [text.optedIn(practice, by), text.optedInNote],
  }),
  record: (services, page) => record(services, page, 'opted_in', 'opt_in_page', null),
  oneClick: false,
};

const unsubscribe: PageAction = {
  purpose: 'unsubscribe',
  title: (text) => text.unsubscribeTitle,
  question: (text, practice, by) => text.unsubscribeQuestion(practice, by),
  button: (text) => text.unsubscribeButton,
  done: (text, practice, by) => ({
    title: text.unsubscribedTitle, body: [text.unsubscribed(practice, by)],
  }),
  record: (services, page, oneClick) =>
    record(services, page, 'opted_out', 'email_unsubscribe', oneClick ? 'one_click' : 'link'),
  oneClick: true,
};

/**
 * The small pages that links in messages open: the opt-in confirmation and the unsubscribe
 * page. Opening a link only shows a question and a button; the answer is a POST, so that a
 * mail scanner that follows links changes nothing. A POST of `List-Unsubscribe=One-Click` to
 * the unsubscribe link is a mail client's unsubscribe button (RFC 8058): it unsubscribes at
 * once and is answered 200 with no page, as nobody reads it.
 * https://www.rfc-editor.org/rfc/rfc8058#section-3.1
 */
export function consentPages(app: Hono<HubEnv>, services: HubServices): void {
  const pages = [['/consent/opt-in', optIn], ['/consent/unsubscribe', unsubscribe]] as const;
  for (const [path, action] of pages) {
    app.get(path, async (c) => {
      const opened = await open(services, c.req.query('token') ?? '', action.purpose);
      if (!('claims' in opened)) return failure(c, opened);
      return c.html(questionPage(opened, action, c.req.query('token')!), 200, pageHeaders);
    });

    app.post(path, async (c) => {
      const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
      const token = String(form.token ?? c.req.query('token') ?? '');
      const opened = await open(services, token, action.purpose);
      if (!('claims' in opened)) return failure(c, opened);

      const oneClick = action.oneClick && form['List-Unsubscribe'] === 'One-Click';
      await action.record(services, opened, oneClick);
      const { accountId, channel } = opened.claims;
      c.get('log').info({ accountId, channel, purpose: action.purpose, oneClick },
        'consent page answered');
      if (oneClick) return c.body(null, 200, pageHeaders);
      return c.html(donePage(opened, action), 200, pageHeaders);
    });
  }
}

/** Nothing on these pages may be kept by a browser or proxy, nor found by a search engine. */
const pageHeaders = { 'Cache-Control': 'no-store', 'X-Robots-Tag': 'noindex' };

type Failure = { reason: 'invalid' } | { reason: 'expired'; page: OpenedLink };

async function open(
  services: HubServices,
  token: string,
  purpose: LinkPurpose,
): Promise<OpenedLink | Failure> {
  const check = readLink(token, purpose, services.clock());
  if (!check.ok && check.reason === 'invalid') return { reason: 'invalid' };

  const { claims } = check;
  const account = await services.accounts.find(claims.accountId);
  const [recipient] = account ? await services.database.db.select().from(recipients)
    .where(and(eq(recipients.id, claims.recipientId), eq(recipients.accountId, account.id)))
    : [];
  if (!account || !recipient) return { reason: 'invalid' };

  const { language, text } = pageText(recipient.language ?? account.settings.language);
  const page = { claims, account, recipient, text, language };
  return check.ok ? page : { reason: 'expired', page };
}

async function record(
  services: HubServices,
  page: OpenedLink,
  status: 'opted_in' | 'opted_out',
  source: 'opt_in_page' | 'email_unsubscribe',
  detail: string | null,
) {
  const { claims, recipient } = page;
  await services.database.db.transaction((tx) => changeConsent(tx, services, {
    accountId: claims.accountId, recipient, channels: channelsReaching(services, claims.channel),
    status, source, detail, at: services.clock(),
  }));
}

function practiceOf(page: OpenedLink): string {
  return page.account.settings.practiceName || page.account.name;
}

function questionPage(page: OpenedLink, action: PageAction, token: string) {
  const { text } = page;
  const by = channelWords(text, page.claims.channel);
  const question = action.question(text, practiceOf(page), by);
  return layout(page.language, action.title(text), html`
    <p>${question}</p>
    <form method="post">
      <input type="hidden" name="token" value="${token}">
      <button type="submit">${action.button(text)}</button>
    </form>`);
}

function donePage(page: OpenedLink, action: PageAction) {
  const by = channelWords(page.text, page.claims.channel);
  const { title, body } = action.done(page.text, practiceOf(page), by);
  return layout(page.language, title, html`${body.map((line) => html`<p>${line}</p>`)}`);
}

function failure(c: Context<HubEnv>, failed: Failure) {
  if (failed.reason === 'expired') {
    const { page } = failed;
    const body = html`<p>${page.text.expired(practiceOf(page))}</p>`;
    return c.html(layout(page.language, page.text.expiredTitle, body), 410, pageHeaders);
  }

  const { text } = pageText('en');
  const body = html`<p>${text.invalid}</p>`;
  return c.html(layout('en', text.invalidTitle, body), 404, pageHeaders);
}

type PageBody = HtmlEscapedString | Promise<HtmlEscapedString>;

/** A plain page: readable at any size, large tap targets, visible focus, no script. */
function layout(language: string, title: string, body: PageBody) {
  return html`<!doctype html>
<html lang="${language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${raw(style)}</style>
</head>
<body>
<main>
<h1>${title}</h1>
${body}
</main>
</body>
</html>`;
}

const style = `
body { font-family: system-ui, sans-serif; font-size: 1.125rem; line-height: 1.5;
  color: #1a1a1a; background: #fff; margin: 0; }
main { max-width: 36rem; margin: 0 auto; padding: 2rem 1.25rem; }
h1 { font-size: 1.5rem; line-height: 1.25; }
button { font: inherit; padding: 0.75rem 1.5rem; min-height: 3rem; border-radius: 0.375rem;
  border: 2px solid #0b4f8a; background: #0b4f8a; color: #fff; cursor: pointer; }
button:focus-visible { outline: 3px solid #e8a600; outline-offset: 3px; }
`;
