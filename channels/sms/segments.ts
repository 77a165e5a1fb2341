/**
 * The GSM 03.38 basic character set and its extension table (each extension character takes
 * two septets). Text made only of these is sent as GSM-7; anything else forces UCS-2.
 */
const gsmBasic = '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?'
  + '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const gsmExtension = '^{}\\[~]|€\f';

const basic = new Set(gsmBasic);
const extension = new Set(gsmExtension);

export interface SegmentCount {
  encoding: 'GSM-7' | 'UCS-2';
  segments: number;
}

/**
 * How many SMS segments a text takes: 160 GSM-7 septets in one segment, 153 per segment when
 * split; 70 UCS-2 code units in one, 67 when split.
 */
export function countSegments(text: string): SegmentCount {
  const septets = gsmLength(text);
  if (septets !== undefined) {
    return { encoding: 'GSM-7', segments: septets <= 160 ? 1 : Math.ceil(septets / 153) };
  }

  const units = text.length;
  return { encoding: 'UCS-2', segments: units <= 70 ? 1 : Math.ceil(units / 67) };
}

function gsmLength(text: string): number | undefined {
  let septets = 0;
  for (const char of text) {
    if (basic.has(char)) septets += 1;
    else if (extension.has(char)) septets += 2;
    else return undefined;
  }
  return septets;
}
