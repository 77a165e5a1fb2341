import { PDFDocument } from 'pdf-lib';

/** Pages of a PDF, which Phaxio counts and bills; anything else counts as one page. */
export async function countPages(content: Uint8Array): Promise<number> {
  try {
    const document = await PDFDocument.load(content, { ignoreEncryption: true });
    return document.getPageCount();
  } catch {
    return 1;
  }
}

/** A PDF of blank US Letter pages, standing in for a fax a test receives without a file. */
export async function blankPdf(pages = 1): Promise<Uint8Array> {
  const document = await PDFDocument.create();
  for (let page = 0; page < pages; page++) document.addPage([612, 792]);
  return document.save();
}
