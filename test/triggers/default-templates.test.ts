import { beforeAll, describe, expect, it } from 'vitest';
import { fromProject } from '../../core/paths.ts';
import type { TriggerPlugin } from '../../core/plugins/trigger.ts';
import { TemplateEngine, type RequiredTemplate } from '../../core/templates/index.ts';
import appointment from '../../plugins/appointment/index.ts';
import billing from '../../plugins/billing/index.ts';
import contacts from '../../plugins/contacts/index.ts';
import forms from '../../plugins/forms/index.ts';

const channels = ['sms', 'voice', 'email', 'efax'];
const triggers = [appointment, billing, forms, contacts] as TriggerPlugin[];

const people = {
  recipient: { firstName: 'Alex', lastName: 'Rivera' },
  practice: { name: 'Riverside Clinic', phone: '+12025550100' },
};

/** Every kind of every trigger on every channel it is sent on, with its sample data. */
function required(): RequiredTemplate[] {
  return triggers.flatMap((plugin) =>
    Object.entries(plugin.templates).flatMap(([kind, needs]) =>
      (needs.channels ?? channels).map((channel) => ({
        trigger: plugin.id, kind, channel, sampleData: { ...needs.sampleData, ...people },
      }))));
}

let engine: TemplateEngine;

beforeAll(async () => {
  engine = await TemplateEngine.load({
    dir: fromProject('templates'), defaultLanguage: 'en', languages: ['en', 'es'],
  });
});

describe('default templates', () => {
  it('exist and render in English and Spanish for every kind and channel', () => {
    expect(required().length).toBeGreaterThan(30);
    expect(engine.check(required())).toEqual([]);
  });

  it.each(['en', 'es'])('are written in %s, with a subject where the channel needs one',
    (language) => {
      for (const ref of required()) {
        const rendered = engine.render({
          ...ref, language, data: ref.sampleData, timeZone: 'America/Chicago',
        });

        expect(rendered.language).toBe(language);
        expect(rendered.text).toContain('Riverside Clinic');
        expect(rendered.text).not.toMatch(/undefined|null|\{\{/);
        const needsSubject = ref.channel === 'email' || ref.channel === 'efax';
        if (needsSubject) expect(rendered.subject).toBeTruthy();
      }
    });

  it('read well without a first name or a practice phone', () => {
    const sparse = {
      recipient: { firstName: '', lastName: '' }, practice: { name: 'Clinic', phone: '' },
    };
    for (const ref of required()) {
      const rendered = engine.render({
        ...ref, language: 'en', data: { ...ref.sampleData, ...sparse }, timeZone: 'UTC',
      });

      expect(rendered.text).not.toMatch(/ ,|\(\)|call \.|Call \./);
    }
  });

  it('show the appointment in the client time zone and language', () => {
    const ref = { trigger: 'appointment', kind: 'reminder', channel: 'sms' };
    const data = { ...appointment.templates.reminder.sampleData, ...people };
    const zone = 'America/Chicago';

    const english = engine.render({ ...ref, language: 'en', data, timeZone: zone });
    const spanish = engine.render({ ...ref, language: 'es', data, timeZone: zone });

    expect(english.text).toBe(
      'Riverside Clinic: Alex, your appointment is on Tuesday, March 10 at 8:30 AM. ' +
      'Questions? Call (202) 555-0100.',
    );
    expect(spanish.text).toBe(
      'Riverside Clinic: Alex, le recordamos su cita el martes, 10 de marzo a las 8:30. ' +
      '¿Preguntas? Llame al (202) 555-0100.',
    );
  });

  // The appointment's sample data has both, as a host may send them.
  it('name no location, practitioner or last name to a client', () => {
    const toClients = required().filter((ref) => ref.trigger !== 'contacts');
    for (const language of ['en', 'es']) {
      for (const ref of toClients) {
        const rendered = engine.render({
          ...ref, language, data: ref.sampleData, timeZone: 'America/Chicago',
        });
        const shown = [rendered.subject, rendered.text, rendered.html].join('\n');

        for (const detail of ['Main Street office', 'Dr. Lee', people.recipient.lastName]) {
          expect(shown).not.toContain(detail);
        }
      }
    }
  });

  it('send forms as a link and a count, never the names of the forms', () => {
    const ref = { trigger: 'forms', kind: 'request', channel: 'email' };
    const data = { ...forms.templates.request.sampleData, ...people };

    const rendered = engine.render({ ...ref, language: 'en', data, timeZone: 'UTC' });

    expect(rendered.text).toContain('https://forms.example.com/r/7Hq2x');
    expect(rendered.text).toContain('complete 2 forms online');
    expect(rendered.text).toContain('Access code: 482913');
  });
});
