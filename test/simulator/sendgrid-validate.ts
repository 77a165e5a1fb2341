import type { SendGridErrorItem } from './provider-errors.ts';

// The checks Mail Send makes before it accepts a message, with its wording; SendGrid lists every
// problem it finds, each with the JSON path of the field.
const messages = {
  body: 'The request body must be a JSON object.',
  personalizations:
    'The personalizations field is required and must have at least one personalization.',
  to:
    'The to array is required for all personalization objects, and must have at least one ' +
    'email object with a valid email address.',
  address: 'Does not contain a valid address.',
  from:
    'The from object must be provided for every email send. It is an object that requires ' +
    'the email parameter, but may also contain a name parameter.',
  fromAddress: 'The from email does not contain a valid address.',
  subject:
    'The subject is required. You can get around this requirement if you use a template ' +
    'with a subject defined or if every personalization has a subject defined.',
  content:
    'Unless a valid template_id is provided, the content parameter is required. There must ' +
    'be at least one defined content block.',
  contentValue: 'The content value must be a string at least one character in length.',
  customArgs: 'Custom args values must be strings.',
  attachment: 'The attachment content is required.',
};

const emailPattern = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function validateMail(body: unknown): SendGridErrorItem[] {
  if (!isObject(body)) return [{ message: messages.body, field: null }];
  const personalizations = list(body.personalizations).filter(isObject);
  return [
    ...checkRecipients(personalizations),
    ...checkSender(body, personalizations),
    ...checkContent(body),
  ];
}

function checkRecipients(personalizations: Json[]): SendGridErrorItem[] {
  if (personalizations.length === 0) {
    return [{ message: messages.personalizations, field: 'personalizations' }];
  }
  const errors: SendGridErrorItem[] = [];
  personalizations.forEach((item, index) => {
    const path = `personalizations.${index}`;
    if (list(item.to).length === 0) errors.push({ message: messages.to, field: `${path}.to` });
    for (const kind of ['to', 'cc', 'bcc']) {
      list(item[kind]).forEach((entry, position) => {
        if (isObject(entry) && emailPattern.test(String(entry.email))) return;
        errors.push({ message: messages.address, field: `${path}.${kind}.${position}.email` });
      });
    }
  });
  return errors;
}

function checkSender(body: Json, personalizations: Json[]): SendGridErrorItem[] {
  const errors: SendGridErrorItem[] = [];
  if (!isObject(body.from)) errors.push({ message: messages.from, field: 'from' });
  else if (!emailPattern.test(String(body.from.email))) {
    errors.push({ message: messages.fromAddress, field: 'from.email' });
  }

  const everySubject = personalizations.length > 0 && personalizations.every((p) => p.subject);
  if (!body.subject && !everySubject && typeof body.template_id !== 'string') {
    errors.push({ message: messages.subject, field: 'subject' });
  }

  const customArgs = [body.custom_args, ...personalizations.map((p) => p.custom_args)];
  const badArgs = customArgs.some(
    (args) => isObject(args) && Object.values(args).some((value) => typeof value !== 'string'),
  );
  if (badArgs) errors.push({ message: messages.customArgs, field: 'custom_args' });
  return errors;
}

function checkContent(body: Json): SendGridErrorItem[] {
  const errors: SendGridErrorItem[] = [];
  const content = list(body.content);
  if (content.length === 0 && typeof body.template_id !== 'string') {
    errors.push({ message: messages.content, field: 'content' });
  }
  content.forEach((block, index) => {
    const value = isObject(block) ? block.value : undefined;
    if (typeof value === 'string' && value.length > 0) return;
    errors.push({ message: messages.contentValue, field: `content.${index}.value` });
  });

  list(body.attachments).forEach((attachment, index) => {
    if (isObject(attachment) && typeof attachment.content === 'string') return;
    errors.push({ message: messages.attachment, field: `attachments.${index}.content` });
  });
  return errors;
}
