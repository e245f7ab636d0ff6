import { describe, expect, it } from 'vitest';
import { composeApprovalEmail } from '../../core/approval-email';
import { commitUrl, type ApprovalView } from '../../core/approval-view';
import { decisionPage } from '../../lambdas/approval-html';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const OLD = 'c'.repeat(40);

/** A promotion's approval as `describeApproval` gives it: hostile text where a person wrote it. */
const view: ApprovalView = {
  approvalId: 'a-1',
  releaseId: 'r-1',
  repository: 'shop',
  environment: 'preproduction',
  nextEnvironment: 'production',
  gate: 'accept',
  commit: '',
  shortCommit: '2 repositories',
  requestedBy: 'alice <script>',
  runningNow: null,
  expiresAt: new Date('2030-01-01T00:00:00Z'),
  members: [
    { repository: 'api', commit: A, shortCommit: A.slice(0, 7), commitUrl: commitUrl({ provider: 'github', url: 'https://github.com/acme/api' }, A), message: 'Fix <img src=x onerror=alert(1)>\nbody', author: 'Dev "quote"', runningNow: OLD, compare: { base: OLD, url: `https://github.com/acme/api/compare/${OLD}...${A}` } },
    { repository: 'web', commit: B, shortCommit: B.slice(0, 7), commitUrl: commitUrl({ provider: 'gitlab', url: 'https://gitlab.com/acme/web' }, B), runningNow: null },
  ],
};

describe('the approval of a promotion lists every member, escaped, with each commit\'s link on its git host', () => {
  it('in the email, text and HTML', () => {
    const email = composeApprovalEmail({ view, from: 'releases@example.com', approver: 'qa@example.com', link: 'http://127.0.0.1:3000/approvals/a-1?t=x' });

    expect(email.subject).toBe('[shop] Accept 2 repositories in preproduction?');
    expect(email.text).toContain(`api ${A.slice(0, 7)}: Fix <img src=x onerror=alert(1)>`);
    expect(email.text).toContain(`    commit:  https://github.com/acme/api/commit/${A}`);
    expect(email.text).toContain(`    changes: https://github.com/acme/api/compare/${OLD}...${A}`);
    expect(email.text).toContain(`    commit:  https://gitlab.com/acme/web/-/commit/${B}`);
    expect(email.html).toContain(`href="https://github.com/acme/api/commit/${A}"`);
    expect(email.html).toContain(`href="https://gitlab.com/acme/web/-/commit/${B}"`);
    expect(email.html).toContain('Fix &lt;img src=x onerror=alert(1)&gt;');
    expect(email.html).not.toContain('<img');
    expect(email.html).not.toContain('<script>');
  });

  it('on the page', () => {
    const page = decisionPage({ view, approver: 'qa@example.com', token: 't' }).value;

    expect(page).toContain(`href="https://github.com/acme/api/commit/${A}"`);
    expect(page).toContain(`href="https://gitlab.com/acme/web/-/commit/${B}"`);
    expect(page).toContain(`href="https://github.com/acme/api/compare/${OLD}...${A}"`);
    expect(page).toContain('Fix &lt;img src=x onerror=alert(1)&gt;');
    expect(page).toContain('Dev &quot;quote&quot;');
    expect(page).not.toContain('<img');
    expect(page).not.toContain('<script>');
  });
});
