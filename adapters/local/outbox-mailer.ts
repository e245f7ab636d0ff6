import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { systemClock, type Clock, type EmailMessage, type Mailer } from '../../core/ports';

export interface OutboxMailerOptions {
  /** `<data>/outbox`; created when the first message is written. */
  readonly dir: string;
  readonly clock?: Clock;
  /** Called once per recipient after its file is written: local mode prints the approval link. */
  readonly onSent?: (message: EmailMessage, recipient: string, file: string) => void;
}

/**
 * Local mode's email: each message becomes one `.eml` file per recipient in the outbox folder, which any
 * mail client opens. Files appear whole (written aside, then renamed), so a watcher never reads half a one.
 */
export class OutboxMailer implements Mailer {
  private sequence = 0;

  constructor(private readonly options: OutboxMailerOptions) {}

  async send(message: EmailMessage): Promise<void> {
    const { dir, clock = systemClock, onSent } = this.options;
    await mkdir(dir, { recursive: true });
    for (const recipient of message.to) {
      const date = clock.now();
      const { source } = formatMessage(message, recipient, date);
      // Names sort by time; the sequence and random part keep two messages of one millisecond apart.
      const name = `${date.toISOString().replace(/[:.]/g, '-')}-${String(this.sequence++).padStart(4, '0')}-${randomBytes(3).toString('hex')}-${recipient.replace(/[^A-Za-z0-9@._-]/g, '_')}.eml`;
      const file = join(dir, name);
      await writeFile(`${file}.tmp`, source, { mode: 0o600 });
      await rename(`${file}.tmp`, file);
      onSent?.(message, recipient, file);
    }
  }
}

/**
 * One email as an RFC 5322 message (RFC 2045-2047 MIME): `multipart/alternative` with the text part first
 * and the HTML part last (readers show the last part they understand), both UTF-8 quoted-printable so the
 * file stays readable in an editor. Lines end in CRLF, as the RFCs require.
 */
export function formatMessage(message: EmailMessage, recipient: string, date: Date): { messageId: string; source: string } {
  for (const [name, value] of [['From', message.from], ['To', recipient], ['Subject', message.subject]] as const) {
    // A line break in a header value would let it add headers of its own.
    if (/[\r\n]/.test(value)) throw new Error(`the ${name} header of an email may not contain a line break`);
  }
  const boundary = `=_cot_${randomBytes(8).toString('hex')}`;
  const messageId = `<${randomUUID()}@codeontap-release.local>`;
  const part = (type: string, content: string) =>
    [`--${boundary}`, `Content-Type: ${type}; charset=utf-8`, 'Content-Transfer-Encoding: quoted-printable', '', quotedPrintable(content)].join('\r\n');
  const source = [
    `From: ${message.from}`,
    `To: ${recipient}`,
    `Subject: ${encodeHeader(message.subject)}`,
    `Date: ${rfc5322Date(date)}`,
    `Message-ID: ${messageId}`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
    '',
    'This is a multi-part message in MIME format.',
    '',
    part('text/plain', message.text),
    part('text/html', message.html),
    `--${boundary}--`,
    '',
  ].join('\r\n');
  return { messageId, source };
}

/** `Tue, 02 Jan 2024 15:04:05 +0000` */
export function rfc5322Date(date: Date): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}

/** ASCII as it is; anything else as RFC 2047 `B` encoded words of at most 75 characters, folded. */
export function encodeHeader(value: string): string {
  if (/^[\x20-\x7e]*$/.test(value)) return value;
  const words: string[] = [];
  let chunk = '';
  for (const char of value) {
    // 36 bytes make 48 base64 characters: with `=?UTF-8?B?` and `?=` a word is 60 long, so even the first
    // line, after `Subject: `, stays within 78. A character is never split across words.
    if (Buffer.byteLength(chunk + char) > 36) {
      words.push(chunk);
      chunk = '';
    }
    chunk += char;
  }
  if (chunk) words.push(chunk);
  return words.map((word) => `=?UTF-8?B?${Buffer.from(word).toString('base64')}?=`).join('\r\n ');
}

/** RFC 2045 quoted-printable of UTF-8 text: line breaks become CRLF, lines stay within 76 characters. */
export function quotedPrintable(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) => encodeLine(Buffer.from(line, 'utf8')))
    .join('\r\n');
}

function encodeLine(bytes: Buffer): string {
  const lines: string[] = [];
  let current = '';
  bytes.forEach((byte, index) => {
    const last = index === bytes.length - 1;
    // Printable ASCII but `=` as is; space and tab too, except at the end of a line where transports strip them.
    const literal = (byte >= 33 && byte <= 126 && byte !== 61) || ((byte === 32 || byte === 9) && !last);
    const token = literal ? String.fromCharCode(byte) : `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    // 75 plus the `=` of a soft line break; the last token of a line needs no soft break after it.
    if (current.length + token.length > (last ? 76 : 75)) {
      lines.push(`${current}=`);
      current = '';
    }
    current += token;
  });
  lines.push(current);
  return lines.join('\r\n');
}
