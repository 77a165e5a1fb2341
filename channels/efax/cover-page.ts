import { PDFDocument, StandardFonts, type PDFFont, type PDFPage } from 'pdf-lib';
import type { MessageBody } from '../../core/plugins/channel.ts';

/** US Letter in points, with one-inch margins: what fax machines print on. */
const pageSize: [number, number] = [612, 792];
const margin = 72;
const textWidth = pageSize[0] - 2 * margin;

const bodyStyle = { size: 12, lineHeight: 16 };
const headingStyle = { size: 16, lineHeight: 22 };

interface Line {
  text: string;
  font: PDFFont;
  style: typeof bodyStyle;
}

/**
 * The message text as plain text on Letter pages, with the subject as a heading. As many
 * pages as the text needs, each of which Phaxio bills.
 */
export async function renderCoverPage(
  body: MessageBody,
): Promise<{ data: Uint8Array; pages: number }> {
  const document = await PDFDocument.create();
  const regular = await document.embedFont(StandardFonts.Helvetica);
  const bold = await document.embedFont(StandardFonts.HelveticaBold);

  const lines: Line[] = [];
  if (body.subject) {
    for (const text of wrapText(body.subject, bold, headingStyle.size)) {
      lines.push({ text, font: bold, style: headingStyle });
    }
    lines.push({ text: '', font: regular, style: bodyStyle });
  }
  for (const text of wrapText(body.text, regular, bodyStyle.size)) {
    lines.push({ text, font: regular, style: bodyStyle });
  }

  layOut(document, lines);
  return { data: await document.save(), pages: document.getPageCount() };
}

/** Pages the cover will take, from an average character width, for cost estimates. */
export function estimateCoverPages(body: MessageBody): number {
  const charsPerLine = Math.floor(textWidth / (bodyStyle.size * 0.5));
  const linesPerPage = Math.floor((pageSize[1] - 2 * margin) / bodyStyle.lineHeight);
  const headingLines = body.subject ? 2 : 0;

  const textLines = body.text.split(/\r?\n/)
    .reduce((sum, paragraph) => sum + Math.max(1, Math.ceil(paragraph.length / charsPerLine)), 0);
  return Math.max(1, Math.ceil((headingLines + textLines) / linesPerPage));
}

function layOut(document: PDFDocument, lines: Line[]): void {
  let page: PDFPage | undefined;
  let top = 0;

  for (const line of lines) {
    if (!page || top - line.style.lineHeight < margin) {
      page = document.addPage(pageSize);
      top = pageSize[1] - margin;
    }

    const { size } = line.style;
    if (line.text) page.drawText(line.text, { x: margin, y: top - size, size, font: line.font });
    top -= line.style.lineHeight;
  }
}

/** Paragraphs broken into lines that fit the page, words kept whole unless longer than a line. */
function wrapText(text: string, font: PDFFont, size: number): string[] {
  const printable = printableText(text, font);
  const fits = (line: string) => font.widthOfTextAtSize(line, size) <= textWidth;
  return printable.split('\n').flatMap((paragraph) => wrapParagraph(paragraph, fits));
}

function wrapParagraph(paragraph: string, fits: (line: string) => boolean): string[] {
  const lines: string[] = [];
  let line = '';

  for (const word of paragraph.split(' ')) {
    const candidate = line ? `${line} ${word}` : word;
    if (fits(candidate)) {
      line = candidate;
      continue;
    }

    if (line) lines.push(line);
    line = word;
    while (!fits(line)) {
      const cut = longestFittingPrefix(line, fits);
      lines.push(line.slice(0, cut));
      line = line.slice(cut);
    }
  }

  lines.push(line);
  return lines;
}

function longestFittingPrefix(text: string, fits: (line: string) => boolean): number {
  let length = 1;
  while (length < text.length && fits(text.slice(0, length + 1))) length += 1;
  return length;
}

/**
 * The standard PDF fonts encode WinAnsi only (Latin scripts); pdf-lib throws on anything
 * else, so such characters print as `?`. Faxing other scripts needs an embedded Unicode font.
 */
function printableText(text: string, font: PDFFont): string {
  const supported = new Set(font.getCharacterSet());
  const normalized = text.replace(/\r\n?/g, '\n').replace(/\t/g, '    ');

  let printable = '';
  for (const character of normalized) {
    const code = character.codePointAt(0)!;
    printable += character === '\n' || supported.has(code) ? character : '?';
  }
  return printable;
}
