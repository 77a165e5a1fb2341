import type { Keypad } from '../../core/plugins/channel.ts';

/** What a call says about its keys, and after one is pressed, per language. */
interface KeypadSpeech {
  confirmCancel: string;
  forward: string;
  answered: string;
  optedIn: string;
  connecting: string;
  goodbye: string;
}

const speech: Record<string, KeypadSpeech> = {
  en: {
    confirmCancel: 'To confirm your appointment, press 1. To cancel it, press 2.',
    forward: 'To speak with us, press 0.',
    answered: 'Thank you. Your answer has been recorded. Goodbye.',
    optedIn: 'Thank you. You will now receive our calls. Goodbye.',
    connecting: 'Please hold while we connect you.',
    goodbye: 'Goodbye.',
  },
  es: {
    confirmCancel: 'Para confirmar su cita, marque 1. Para cancelarla, marque 2.',
    forward: 'Para hablar con nosotros, marque 0.',
    answered: 'Gracias. Hemos registrado su respuesta. Adiós.',
    optedIn: 'Gracias. A partir de ahora recibirá nuestras llamadas. Adiós.',
    connecting: 'Espere un momento mientras le comunicamos.',
    goodbye: 'Adiós.',
  },
};

/** The spoken words for a recipient's language (`es-MX` hears Spanish); English otherwise. */
export function keypadSpeech(language: string): KeypadSpeech {
  return speech[language.split('-')[0].toLowerCase()] ?? speech.en;
}

/**
 * What the call says after the message about its keys. An opt-in call's message asks for
 * the 1 itself, so only the 0 is explained there.
 */
export function keypadPrompt(keypad: Keypad, language: string): string {
  const words = keypadSpeech(language);
  const parts = [
    keypad.answers === 'confirm_cancel' ? words.confirmCancel : undefined,
    keypad.forwardTo ? words.forward : undefined,
  ];
  return parts.filter(Boolean).join(' ');
}

/**
 * Where Twilio posts the key pressed. The query carries what the keys mean for this call, so
 * the answer needs no look-up; Twilio signs the whole URL, so it cannot be changed.
 */
export function keysUrl(publicUrl: string, keypad: Keypad, language: string): string {
  const query = new URLSearchParams({ language });
  if (keypad.answers) query.set('answers', keypad.answers);
  if (keypad.forwardTo) query.set('forward', keypad.forwardTo);
  return `${publicUrl.replace(/\/+$/, '')}/webhooks/twilio/voice/keys?${query}`;
}

/** The keys a call's URL says it offered: 1 and 2 answer, 0 forwards. */
export function offeredKeys(query: URLSearchParams): Keypad & { language: string } {
  const answers = query.get('answers');
  return {
    language: query.get('language') ?? 'en',
    answers: answers === 'confirm_cancel' || answers === 'opt_in' ? answers : undefined,
    forwardTo: query.get('forward') ?? undefined,
  };
}
