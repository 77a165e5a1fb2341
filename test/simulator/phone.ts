const e164 = /^\+[1-9]\d{6,14}$/;

/** An E.164 number, optionally behind a channel prefix such as `whatsapp:`. */
export function isPhoneNumber(value: string): boolean {
  return e164.test(value.replace(/^[a-z]+:/, ''));
}
