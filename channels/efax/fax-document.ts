import { PDFDocument } from 'pdf-lib';
import type { MessageBody, OutboundAttachment } from '../../core/plugins/channel.ts';
import { renderCoverPage } from './cover-page.ts';
import type { FaxFile } from './phaxio-client.ts';

/** What goes to the fax line: the files in order, and the pages they make together. */
export interface FaxDocument {
  files: FaxFile[];
  pages: number;
}

/** An attachment that is not a PDF the hub can read, so it cannot be faxed or counted. */
export class UnfaxableAttachmentError extends Error {
  constructor(position: number, cause?: unknown) {
    super(`Attachment ${position + 1} is not a readable PDF`, { cause });
    this.name = 'UnfaxableAttachmentError';
  }
}

/**
 * The message text as a cover page, followed by its PDF attachments. The attachments travel
 * as separate files, which Phaxio faxes in order as one document, rather than merged by the
 * hub: they reach the line exactly as the host sent them (copying pages would drop what
 * pdf-lib cannot carry over, and cannot read encrypted documents), and Phaxio converts and
 * checks each file itself. The hub only reads them to count their pages.
 */
export async function buildFaxDocument(
  body: MessageBody,
  attachments: OutboundAttachment[],
): Promise<FaxDocument> {
  const files: FaxFile[] = [];
  let pages = 0;

  // A bare document needs no empty cover, but a fax needs at least one page.
  if (body.text.trim() || body.subject || attachments.length === 0) {
    const cover = await renderCoverPage(body);
    files.push({ filename: 'message.pdf', contentType: 'application/pdf', data: cover.data });
    pages += cover.pages;
  }

  for (const [position, attachment] of attachments.entries()) {
    pages += await countPages(attachment, position);
    files.push(attachment);
  }
  return { files, pages };
}

async function countPages(attachment: OutboundAttachment, position: number): Promise<number> {
  if (attachment.contentType !== 'application/pdf') {
    throw new UnfaxableAttachmentError(position);
  }

  try {
    const document = await PDFDocument.load(attachment.data, {
      ignoreEncryption: true, updateMetadata: false,
    });
    return document.getPageCount();
  } catch (error) {
    throw new UnfaxableAttachmentError(position, error);
  }
}
