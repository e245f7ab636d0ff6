import { describe, expect, it } from 'vitest';
import { composeApprovalEmail } from '../../core/approval-email';
import { decisionPage } from '../../lambdas/approval-html';
import { A, B, OLD, promotionView as view } from '../support/promotion-view';

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
