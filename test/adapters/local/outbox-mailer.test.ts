import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeHeader, OutboxMailer, quotedPrintable } from '../../../adapters/local/outbox-mailer';
import type { EmailMessage } from '../../../core/ports';
import { decodeHeader, outboxFiles, parseEml } from '../../lambdas/approval-harness';
import { tempDir } from '../../support/temp-dir';

const LINK = 'http://127.0.0.1:3000/approvals/a-xyz?t=cXFAZXhhbXBsZS5jb20KMTc2MDAwMDAwMAphYmNkZWY';

const message: EmailMessage = {
  from: 'releases@example.com',
  to: ['qa@example.com', 'rm@example.com'],
  subject: '[sample-service] Approve a1b2c3d into production? — ✓ naïve',
  text: `Héllo =, tab\tand trailing space \n${'x'.repeat(200)}\nLink:\n${LINK}\n`,
  html: `<p style="color:#000">Hé</p><a href="${LINK}">${LINK}</a>`,
};

const clock = { now: () => new Date(Date.UTC(2026, 4, 1, 9, 30, 5)) };

describe('OutboxMailer', () => {
  it('writes one RFC 5322 file per recipient that parses back to the same message', async () => {
    // Prepare
    const dir = join(tempDir('outbox'), 'outbox');
    const sent: Array<{ recipient: string; file: string; subject: string }> = [];
    const mailer = new OutboxMailer({ dir, clock, onSent: (m, recipient, file) => sent.push({ recipient, file, subject: m.subject }) });

    // Act
    await mailer.send(message);

    // Assess
    const files = await outboxFiles(dir);
    expect(files).toHaveLength(2);
    expect(sent.map((item) => item.recipient)).toEqual(['qa@example.com', 'rm@example.com']);
    expect(sent.map((item) => item.file).sort()).toEqual(files.map((file) => join(dir, file.name)));
    const recipients = files.map(({ source }) => {
      const email = parseEml(source);
      expect(email.headers).toMatchObject({
        from: 'releases@example.com',
        date: 'Fri, 01 May 2026 09:30:05 +0000',
        'mime-version': '1.0',
        'content-type': expect.stringMatching(/^multipart\/alternative; boundary="/),
      });
      expect(email.headers['message-id']).toMatch(/^<[^@\s]+@[^>\s]+>$/);
      expect(decodeHeader(email.headers.subject ?? '')).toBe(message.subject);
      expect(email.parts.map((part) => part.headers['content-type'])).toEqual(['text/plain; charset=utf-8', 'text/html; charset=utf-8']);
      const [text, html] = email.parts;
      expect(text?.body).toBe(message.text.replace(/\n/g, '\r\n'));
      expect(html?.body).toBe(message.html);
      expect(text?.body).toContain(LINK);
      expect(html?.body).toContain(`href="${LINK}"`);
      // RFC 5322 lines end in CRLF and stay short (quoted-printable keeps them within 76).
      expect(source.split('\r\n').every((line) => line.length <= 78 && !line.includes('\n'))).toBe(true);
      return email.headers.to;
    });
    expect(recipients).toEqual(['qa@example.com', 'rm@example.com']);
  });

  it('refuses a header with a line break instead of writing a forged header', async () => {
    const dir = tempDir('outbox');
    const mailer = new OutboxMailer({ dir, clock });

    await expect(mailer.send({ ...message, subject: 'hi\r\nBcc: everyone@example.com' })).rejects.toThrow(/line break/);
    expect(await readdir(dir)).toEqual([]);
  });

  it.each([
    ['plain ASCII as is', 'Approve it', 'Approve it'],
    ['non-ASCII as UTF-8 B words', 'Zürich', '=?UTF-8?B?WsO8cmljaA==?='],
  ])('encodes a header: %s', (_name, value, expected) => {
    expect(encodeHeader(value)).toBe(expected);
  });

  it('keeps encoded words within 75 characters and never splits a character', () => {
    const long = '✓'.repeat(40);

    const words = encodeHeader(long).split('\r\n ');

    expect(words.length).toBeGreaterThan(1);
    expect(words.every((word) => word.length <= 75)).toBe(true);
    expect(decodeHeader(words.join(' '))).toBe(long);
  });

  it.each([
    ['= and non-ASCII', 'a=b é', 'a=3Db =C3=A9'],
    ['a trailing space', 'end ', 'end=20'],
    ['a trailing tab', 'end\t', 'end=09'],
    ['line breaks as CRLF', 'a\nb', 'a\r\nb'],
  ])('quoted-printable: %s', (_name, text, expected) => {
    expect(quotedPrintable(text)).toBe(expected);
  });
});
