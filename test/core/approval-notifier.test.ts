import { beforeAll, describe, expect, it } from 'vitest';
import { verifyApprovalLink } from '../../core/approval-links';
import { EmailApprovalNotifier } from '../../core/approval-notifier';
import type { EmailMessage, Mailer } from '../../core/ports';
import { TransientError } from '../../core/errors';
import { COMMIT, config, createFixture, decodeHeader, outboxFiles, parseEml, PREVIOUS, SIGNING_KEY, type Fixture } from '../lambdas/approval-harness';

describe('EmailApprovalNotifier (DynamoDB Local, outbox)', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await createFixture();
    f.baseUrl = 'https://api.example.com/prod/';
  });

  it('emails each approver a message with its own link, in both parts, and never the task token', async () => {
    // Act
    const { approval } = await f.pending({ environment: 'production', gate: 'approve_deploy' });

    // Assess
    const files = (await outboxFiles(f.outbox)).map((file) => ({ ...file, email: parseEml(file.source) }));
    const mine = files.filter((file) => file.source.includes(approval.approvalId));
    expect(mine.map((file) => file.email.headers.to).sort()).toEqual(['cto@example.com', 'rm@example.com']);
    for (const { source, email } of mine) {
      const approver = email.headers.to ?? '';
      expect(decodeHeader(email.headers.subject ?? '')).toBe('[sample-service] Approve a1b2c3d into production?');
      expect(email.headers.from).toBe('releases@example.com');
      const [text, html] = email.parts.map((part) => part.body);
      const url = /https:\/\/api\.example\.com\/prod\/approvals\/\S+/.exec(text ?? '')?.[0] ?? '';
      expect(url).toMatch(new RegExp(`/prod/approvals/${approval.approvalId}\\?t=[A-Za-z0-9_-]+$`));
      expect(html).toContain(`href="${url}"`);
      const token = new URL(url).searchParams.get('t') ?? '';
      // The link names its approver and no other.
      expect(verifyApprovalLink(approval.approvalId, token, SIGNING_KEY, f.clock.now())).toMatchObject({ ok: true, approver, expiresAt: new Date(approval.expiresAt) });
      expect(source).not.toContain(approval.taskToken);
      expect(text).toContain(COMMIT);
      expect(text).toContain('Make <checkout> "faster" & safer');
      expect(text).toContain('Dev One <dev@example.com>');
      expect(text).toContain('alice@example.com');
      expect(text).toContain(`https://github.com/acme/sample-service/compare/${PREVIOUS}...${COMMIT}`);
      // An hour's approval, its links expiring a minute early (before the waiting Task does).
      expect(text).toContain('2026-05-01 09:59 UTC');
    }
    const [first, second] = mine.map((file) => /\?t=([A-Za-z0-9_-]+)/.exec(file.source)?.[1]);
    expect(first).not.toBe(second);
  });

  it('compares an acceptance with the commit last accepted there', async () => {
    const { approval } = await f.pending({ environment: 'preproduction', gate: 'accept' });

    const files = await outboxFiles(f.outbox);
    const text = parseEml(files.find((file) => file.source.includes(approval.approvalId))?.source ?? '').parts[0]?.body ?? '';
    expect(text).toContain('Accept after tests');
    expect(text).toContain('it may then be released to production');
    expect(text).toContain(`/compare/${PREVIOUS}...${COMMIT}`);
    // The candidate already runs there: that is what the approver is asked to accept.
    expect(text).toMatch(new RegExp(`Running there now: +${COMMIT}`));
  });

  it('still sends to the others when one address fails, and throws only when nobody was told', async () => {
    // Prepare
    const { approval, release } = await f.pending();
    const sent: string[] = [];
    const failed: string[] = [];
    const flaky = (fails: (to: string) => boolean): Mailer => ({
      async send(message: EmailMessage) {
        const to = message.to[0] ?? '';
        if (fails(to)) throw new TransientError(`SES is busy for ${to}`);
        sent.push(to);
      },
    });
    const notifier = (mailer: Mailer) =>
      new EmailApprovalNotifier({ mailer, releases: f.db.releases, pushes: f.db.pushes, config, signingKey: async () => SIGNING_KEY, baseUrl: 'http://127.0.0.1:3000', onSendFailed: (to) => failed.push(to) });

    // Act
    await notifier(flaky((to) => to === 'rm@example.com')).approvalRequested(approval, release);
    const all = notifier(flaky(() => true)).approvalRequested(approval, release);

    // Assess
    expect(sent).toEqual(['cto@example.com']);
    expect(failed).toEqual(['rm@example.com']);
    await expect(all).rejects.toBeInstanceOf(TransientError);
  });
});
