// The GSM 03.38 default alphabet (one septet each) and its extension table (an escape plus a
// septet, so two each). Any other character sends the whole message as UCS-2.
const gsmBasic = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
    '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
const gsmExtension = new Set('\f^{}\\[~]|€');

export interface SegmentCount {
  encoding: 'GSM-7' | 'UCS-2';
  segments: number;
}

/**
 * How many SMS segments a body takes: GSM-7 fits 160 septets in one segment or 153 per part of
 * a concatenated message; UCS-2 fits 70 code units or 67 per part. An escape pair or a
 * surrogate pair is never split across parts, which can add a part at the boundary.
 */
export function countSegments(body: string): SegmentCount {
  const chars = [...body];
  const gsm = chars.every((char) => gsmBasic.has(char) || gsmExtension.has(char));
  if (gsm) {
    const units = chars.map((char) => (gsmExtension.has(char) ? 2 : 1));
    return { encoding: 'GSM-7', segments: pack(units, 160, 153) };
  }
  const units = chars.map((char) => char.length);
  return { encoding: 'UCS-2', segments: pack(units, 70, 67) };
}

function pack(units: number[], single: number, part: number): number {
  const total = units.reduce((sum, size) => sum + size, 0);
  if (total <= single) return 1;

  let parts = 1;
  let used = 0;
  for (const size of units) {
    if (used + size > part) {
      parts += 1;
      used = 0;
    }
    used += size;
  }
  return parts;
}
