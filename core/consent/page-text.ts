/**
 * The words of the consent pages, and of the unsubscribe line that ends every email, in the
 * languages the hub serves patients in.
 */
export interface PageText {
  channel: Record<'email' | 'sms' | 'voice' | 'other', string>;
  optInTitle: string;
  optInQuestion: (practice: string, by: string) => string;
  optInButton: string;
  optedInTitle: string;
  optedIn: (practice: string, by: string) => string;
  optedInNote: string;
  unsubscribeTitle: string;
  unsubscribeQuestion: (practice: string, by: string) => string;
  unsubscribeButton: string;
  unsubscribedTitle: string;
  unsubscribed: (practice: string, by: string) => string;
  expiredTitle: string;
  expired: (practice: string) => string;
  invalidTitle: string;
  invalid: string;
  /** The unsubscribe line of an email: the question, then the link's own words. */
  footerQuestion: string;
  footerLink: string;
}

const english: PageText = {
  channel: {
    email: 'by email', sms: 'by text message', voice: 'by phone call', other: 'this way',
  },
  optInTitle: 'Receive messages',
  optInQuestion: (practice, by) =>
    `Would you like ${practice} to send you appointment reminders and other messages ${by}?`,
  optInButton: 'Yes, send me messages',
  optedInTitle: 'Thank you',
  optedIn: (practice, by) => `${practice} will now send you messages ${by}.`,
  optedInNote: 'You can stop them at any time with the link at the end of each message.',
  unsubscribeTitle: 'Unsubscribe',
  unsubscribeQuestion: (practice, by) => `Stop receiving messages from ${practice} ${by}?`,
  unsubscribeButton: 'Unsubscribe',
  unsubscribedTitle: 'You are unsubscribed',
  unsubscribed: (practice, by) => `${practice} will send you no more messages ${by}.`,
  expiredTitle: 'This link has expired',
  expired: (practice) => `Please contact ${practice} if you would like to receive messages.`,
  invalidTitle: 'This link does not work',
  invalid: 'Please check that you opened the whole link from the message.',
  footerQuestion: "Don't want these emails?",
  footerLink: 'Unsubscribe',
};

const spanish: PageText = {
  channel: {
    email: 'por correo electrónico', sms: 'por mensaje de texto', voice: 'por llamada',
    other: 'por este medio',
  },
  optInTitle: 'Recibir mensajes',
  optInQuestion: (practice, by) =>
    `¿Desea que ${practice} le envíe recordatorios de citas y otros avisos ${by}?`,
  optInButton: 'Sí, quiero recibir mensajes',
  optedInTitle: 'Gracias',
  optedIn: (practice, by) => `${practice} le enviará mensajes ${by} a partir de ahora.`,
  optedInNote: 'Puede dejar de recibirlos en cualquier momento con el enlace al final de ' +
    'cada mensaje.',
  unsubscribeTitle: 'Darse de baja',
  unsubscribeQuestion: (practice, by) => `¿Dejar de recibir mensajes de ${practice} ${by}?`,
  unsubscribeButton: 'Darme de baja',
  unsubscribedTitle: 'Se ha dado de baja',
  unsubscribed: (practice, by) => `${practice} no le enviará más mensajes ${by}.`,
  expiredTitle: 'Este enlace ha caducado',
  expired: (practice) => `Comuníquese con ${practice} si desea recibir mensajes.`,
  invalidTitle: 'Este enlace no funciona',
  invalid: 'Compruebe que abrió el enlace completo del mensaje.',
  footerQuestion: '¿No desea recibir estos correos?',
  footerLink: 'Darse de baja',
};

const texts: Record<string, PageText> = { en: english, es: spanish };

/** The page words for a language tag (`es-MX` reads Spanish); English otherwise. */
export function pageText(language: string): { language: string; text: PageText } {
  const primary = language.split('-')[0].toLowerCase();
  const text = texts[primary];
  return text ? { language: primary, text } : { language: 'en', text: english };
}

/** How a channel reaches the reader, in words: "by email". */
export function channelWords(text: PageText, channel: string): string {
  const known = channel === 'email' || channel === 'sms' || channel === 'voice';
  return text.channel[known ? channel : 'other'];
}
