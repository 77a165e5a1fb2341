import path from 'node:path';

import { beforeAll, describe, expect, it } from 'vitest';

import { StartupError } from '../core/errors.ts';
import {
  parseTemplateName,
  TemplateEngine,
  TemplateRenderError,
  type RenderInput,
} from '../core/templates/index.ts';

const fixtures = path.join(import.meta.dirname, 'fixtures/templates');
const validDir = path.join(fixtures, 'valid');
const brokenDir = path.join(fixtures, 'broken');
const languages = { defaultLanguage: 'en', languages: ['en', 'es'] };

const shown = (dir: string, file: string) => path.relative(process.cwd(), path.join(dir, file));

const visit = {
  client: { firstName: 'Ana' },
  practice: { name: 'Smith & Jones <Dental>', phone: '+14155552671' },
  appointment: { start: '2026-03-10T18:30:00Z' },
};

const reminder = { trigger: 'appointment', kind: 'reminder' };

function input(overrides: Partial<RenderInput>): RenderInput {
  return {
    ...reminder,
    channel: 'sms',
    language: 'en',
    data: visit,
    timeZone: 'America/New_York',
    ...overrides,
  };
}

describe('template engine', () => {
  let engine: TemplateEngine;

  beforeAll(async () => {
    engine = await TemplateEngine.load({ dir: validDir, ...languages });
  });

  it('renders an SMS in the recipient time zone, without HTML escaping', () => {
    const rendered = engine.render(input({}));

    expect(rendered.text).toBe(
      'Hi Ana, your appointment is on Tuesday, March 10 at 2:30 PM. ' +
        'Reply C to confirm or X to cancel.\nSmith & Jones <Dental> (415) 555-2671',
    );
    expect(rendered.templateFile).toBe(shown(validDir, 'appointment/reminder.sms.hbs'));
    expect(rendered.language).toBe('en');
    expect(rendered.subject).toBeUndefined();
    expect(rendered.html).toBeUndefined();
  });

  it('names the file and the variable when a value is missing', () => {
    const data = { client: { firstName: 'Ana' }, practice: visit.practice, appointment: {} };

    const failure = captureError(() => engine.render(input({ data })));

    expect(failure).toBeInstanceOf(TemplateRenderError);
    expect(failure.message).toBe(
      `"appointment.start" not defined in ${shown(validDir, 'appointment/reminder.sms.hbs')}:1`,
    );
    expect(failure).toMatchObject({ code: 'template_error', variable: 'appointment.start' });
  });

  it('names the whole path when the object holding the value is missing', () => {
    const data = { client: visit.client, practice: visit.practice };

    const failure = captureError(() => engine.render(input({ data })));

    expect(failure.message).toContain('"appointment.start" not defined');
  });

  it('reports the front matter line of a subject that cannot be rendered', () => {
    const data = { ...visit, practice: {} };

    const failure = captureError(() => engine.render(input({ channel: 'email', data })));

    expect(failure.message).toBe(
      `"practice.name" not defined in ${shown(validDir, 'appointment/reminder.email.hbs')}:2`,
    );
  });

  it('reports a value a helper cannot use, without quoting the value', () => {
    const data = { ...visit, appointment: { start: 'next Tuesday at 9' } };

    const failure = captureError(() => engine.render(input({ data })));

    expect(failure.reason).toBe(
      '{{date}} needs an ISO 8601 date or date-time, a Date or epoch milliseconds',
    );
    expect(failure.line).toBe(1);
    expect(failure.message).not.toContain('next Tuesday');
  });

  it('reports a missing value inside a partial against the partial file', () => {
    const data = { ...visit, practice: { name: 'Smith & Jones' } };

    const failure = captureError(() => engine.render(input({ data })));

    expect(failure).toMatchObject({
      file: shown(validDir, 'partials/signature.hbs'),
      line: 1,
      variable: 'practice.phone',
    });
  });

  it('lets {{#if}} test a value that is absent, but not one inside a missing object', () => {
    const optional = { trigger: 'demo', kind: 'optional' };

    const withoutLocation = engine.render(input({ ...optional, data: { appointment: {} } }));
    const failure = captureError(() => engine.render(input({ ...optional, data: {} })));

    expect(withoutLocation.text).toBe('See you soon.');
    expect(failure.message).toContain('"appointment" not defined');
  });

  it('chooses the language variant and falls back to the default language', () => {
    const spanish = engine.render(input({ language: 'es' }));
    const french = engine.render(input({ language: 'fr' }));
    const mexican = engine.render(input({ language: 'es-MX' }));

    expect(spanish.text).toMatch(/^Hola Ana, su cita es el martes, 10 de marzo a las 14:30\./);
    expect(spanish.language).toBe('es');
    expect(french.text).toMatch(/^Hi Ana/);
    expect(french.language).toBe('en');
    expect(mexican.templateFile).toBe(shown(validDir, 'appointment/reminder.sms.es.hbs'));
  });

  it('uses an account override before the default template', () => {
    const acme = engine.render(input({ accountId: 'acme' }));
    const other = engine.render(input({ accountId: 'other' }));

    expect(acme.text).toBe('ACME Clinic: Ana, see you on Tuesday, March 10.');
    expect(other.text).toMatch(/^Hi Ana/);
  });

  it('prefers the hub template in the patient language over an override in another', () => {
    const rendered = engine.render(input({ accountId: 'acme', language: 'es' }));

    expect(rendered.templateFile).toBe(shown(validDir, 'appointment/reminder.sms.es.hbs'));
  });

  it('renders the email subject from the front matter and escapes the HTML body', () => {
    const rendered = engine.render(input({ channel: 'email' }));

    expect(rendered.subject).toBe('Reminder from Smith & Jones <Dental>');
    expect(rendered.text).toBe(
      'Hi Ana,\n\nYour appointment at Smith & Jones <Dental> is on Tuesday, March 10\nat 2:30 PM.',
    );
    expect(rendered.html).toBe(
      '<p>Hi Ana,</p>\n<p>Your appointment at Smith &amp; Jones &lt;Dental&gt; is on ' +
        'Tuesday, March 10<br>\nat 2:30 PM.</p>',
    );
  });

  it('uses the HTML variant of an email when there is one', () => {
    const rendered = engine.render(input({ kind: 'confirmation', channel: 'email' }));

    expect(rendered.subject).toBe('Confirmed: Smith & Jones <Dental>');
    expect(rendered.text).toBe('Your appointment at Smith & Jones <Dental> is confirmed.');
    expect(rendered.html).toBe(
      '<p>Your appointment at <strong>Smith &amp; Jones &lt;Dental&gt;</strong> is confirmed.</p>',
    );
  });

  it('renders values that look like templates literally', () => {
    const data = { ...visit, client: { firstName: '{{practice.name}} {{> signature}}' } };

    const sms = engine.render(input({ data }));
    const email = engine.render(input({ channel: 'email', data }));

    expect(sms.text).toMatch(/^Hi \{\{practice\.name\}\} \{\{> signature\}\}, your/);
    expect(email.html).toContain('Hi {{practice.name}} {{&gt; signature}},');
  });

  it('formats dates, times, money and phone numbers per language', () => {
    const data = {
      when: '2026-03-10T18:30:00Z',
      amount: 12050,
      currency: 'USD',
      phone: '+14155552671',
      name: 'ana',
      status: 'confirmed',
    };
    const formats = { trigger: 'demo', kind: 'formats', data };

    const english = engine.render(input({ ...formats, language: 'en' }));
    const spanish = engine.render(input({ ...formats, language: 'es' }));

    expect(english.text).toBe(
      'Tuesday, March 10|2:30 PM|Tuesday, March 10 at 2:30 PM|3/10/2026|$120.50|' +
        '(415) 555-2671|ANA|yes',
    );
    expect(spanish.text).toBe(
      'martes, 10 de marzo|14:30|martes, 10 de marzo, 14:30|10/3/2026|120,50 US$|' +
        '(415) 555-2671|ANA|yes',
    );
  });

  it('keeps a date without a time on its day, and knows currencies without cents', () => {
    const invoice = { amountDue: 500, currency: 'JPY', dueDate: '2026-03-10' };
    const data = { invoice, practice: { name: 'P' } };
    const due = { trigger: 'billing', kind: 'invoice', data, timeZone: 'Pacific/Honolulu' };

    const rendered = engine.render(input(due));

    expect(rendered.text).toBe('P: you have ¥500 to pay by Tuesday, March 10.');
  });

  it('says whether a template exists after the fallbacks', () => {
    expect(engine.has({ ...reminder, channel: 'sms' }, 'es')).toBe(true);
    expect(engine.has({ ...reminder, channel: 'efax' })).toBe(false);
    expect(engine.has({ trigger: 'forms', kind: 'request', channel: 'sms' }, 'en')).toBe(false);
  });

  it('lists the loaded templates with their account and language', () => {
    const listing = engine.listTemplates();

    expect(listing).toContainEqual({
      ...reminder,
      channel: 'sms',
      language: 'en',
      accountId: 'acme',
      file: shown(validDir, 'accounts/acme/appointment/reminder.sms.hbs'),
      html: false,
    });
    expect(listing.filter((entry) => entry.html).map((entry) => entry.kind)).toEqual([
      'confirmation',
    ]);
  });

  it('checks that required templates exist in the default language and render', () => {
    const problems = engine.check([
      { ...reminder, channel: 'sms', sampleData: visit },
      { trigger: 'forms', kind: 'request', channel: 'sms', sampleData: { client: {} } },
    ]);

    expect(problems).toEqual([
      {
        file: shown(validDir, 'forms/request.sms.hbs'),
        message: 'missing; every language falls back to this file',
      },
      {
        file: shown(validDir, 'forms/request.sms.es.hbs'),
        line: 1,
        message: '"client.firstName" not defined',
      },
    ]);
  });

  it('checks account overrides with the sample data too', () => {
    const sampleData = { client: {}, practice: visit.practice, appointment: visit.appointment };

    const problems = engine.check([{ ...reminder, channel: 'sms', sampleData }]);

    expect(problems.map((problem) => problem.file)).toEqual([
      shown(validDir, 'appointment/reminder.sms.hbs'),
      shown(validDir, 'appointment/reminder.sms.es.hbs'),
      shown(validDir, 'accounts/acme/appointment/reminder.sms.hbs'),
    ]);
  });
});

describe('a template folder with faults', () => {
  const required = [
    { ...reminder, channel: 'sms', sampleData: visit },
    { trigger: 'billing', kind: 'invoice', channel: 'sms', sampleData: {} },
  ];

  it('refuses to load, listing every file with its line', async () => {
    const failure = await TemplateEngine.load({ dir: brokenDir, ...languages }).catch((e) => e);

    expect(failure).toBeInstanceOf(StartupError);
    const at = (file: string) => `${shown(brokenDir, `appointment/${file}`)}`;
    expect(failure.problems).toEqual([
      `${at('cancelled.sms.hbs')}:1: unknown partial "footer"`,
      `${at('cancelled.sms.hbs')}:2: {{date}} format must be one of "short", "medium", "long"`,
      `${at('cancelled.sms.hbs')}:3: {{upper}} takes one value`,
      `${at('notice.efax.hbs')}:2: ` +
        '"subjet" is not a front matter setting; the only one is "subject"',
      `${at('notice.sms.hbs')}:2: unknown helper "shout"`,
      `${at('reminder.email.hbs')}:1: ` +
        'an email template starts with a front matter block that sets subject:',
      expect.stringMatching(/reminder\.sms\.hbs:3: syntax error near ".*appointment\.location}\."/),
      `${at('notice.email.html.hbs')}: an HTML variant needs notice.email.hbs beside it`,
    ]);
  });

  it('reports compile errors and missing templates together when inspected', async () => {
    const problems = await TemplateEngine.inspect({ dir: brokenDir, ...languages }, required);

    expect(problems).toContainEqual(
      expect.objectContaining({ file: shown(brokenDir, 'appointment/reminder.sms.hbs'), line: 3 }),
    );
    expect(problems).toContainEqual({
      file: shown(brokenDir, 'billing/invoice.sms.hbs'),
      message: 'missing; every language falls back to this file',
    });
    expect(problems.filter((problem) => problem.message.startsWith('missing'))).toHaveLength(1);
  });
});

describe('parseTemplateName', () => {
  it('reads kind, channel, HTML variant and language', () => {
    expect(parseTemplateName('reminder.sms.hbs')).toEqual({
      kind: 'reminder',
      channel: 'sms',
      language: undefined,
      html: false,
    });
    expect(parseTemplateName('reminder.email.html.pt-BR.hbs')).toEqual({
      kind: 'reminder',
      channel: 'email',
      language: 'pt-BR',
      html: true,
    });
  });

  it('rejects names that do not follow the pattern', () => {
    expect(parseTemplateName('reminder.hbs')).toBeUndefined();
    expect(parseTemplateName('Reminder.sms.hbs')).toBeUndefined();
    expect(parseTemplateName('reminder.sms.es.extra.hbs')).toBeUndefined();
  });
});

function captureError(action: () => unknown): TemplateRenderError {
  try {
    action();
  } catch (error) {
    return error as TemplateRenderError;
  }
  throw new Error('expected the render to fail');
}
