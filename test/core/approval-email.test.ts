import { describe, expect, it } from 'vitest';
import { approvalSubject, composeApprovalEmail } from '../../core/approval-email';
import type { ApprovalView } from '../../core/approval-view';
import { compareUrl } from '../../core/repository-url';
import { escapeHtml, html } from '../../core/html-escape';

const A = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const B = '0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c';

const view: ApprovalView = {
  approvalId: 'a-123',
  releaseId: 'r-1',
  repository: 'sample-service',
  repositoryUrl: 'https://github.com/acme/sample-service',
  environment: 'production',
  gate: 'approve_deploy',
  commit: A,
  shortCommit: A.slice(0, 7),
  message: 'Fix <script>alert(1)</script> & "quotes"\n\nDetails.',
  author: 'Dev <dev@example.com>',
  requestedBy: 'alice@example.com',
  runningNow: B,
  compare: { base: B, url: `https://github.com/acme/sample-service/compare/${B}...${A}` },
  expiresAt: new Date(Date.UTC(2026, 4, 8, 9, 0)),
};

const LINK = 'https://x.execute-api.eu-west-1.amazonaws.com/prod/approvals/a-123?t=abc_DEF-123';

describe('compareUrl', () => {
  it.each([
    ['github', 'https://github.com/acme/svc', `https://github.com/acme/svc/compare/${B}...${A}`],
    ['gitlab', 'https://gitlab.com/acme/group/svc', `https://gitlab.com/acme/group/svc/-/compare/${B}...${A}`],
    ['bitbucket', 'https://bitbucket.org/acme/svc', `https://bitbucket.org/acme/svc/branches/compare/${A}..${B}`],
    ['github', 'https://github.com/acme/svc.git/', `https://github.com/acme/svc/compare/${B}...${A}`],
  ] as const)('%s %s', (provider, url, expected) => {
    expect(compareUrl({ provider, url }, B, A)).toBe(expected);
  });
});

describe('approval email', () => {
  it.each([
    ['approve_deploy', '[sample-service] Approve a1b2c3d into production?'],
    ['accept', '[sample-service] Accept a1b2c3d in production?'],
  ] as const)('subject of the %s gate', (gate, subject) => {
    expect(approvalSubject({ ...view, gate })).toBe(subject);
  });

  it('says everything an approver needs in the text part', () => {
    const email = composeApprovalEmail({ view, from: 'releases@example.com', approver: 'rm@example.com', link: LINK });

    expect(email).toMatchObject({ from: 'releases@example.com', to: ['rm@example.com'] });
    for (const fact of ['sample-service', 'production', 'Approve before deploy', A, A.slice(0, 7), 'Fix <script>alert(1)</script> & "quotes"', 'Dev <dev@example.com>', 'alice@example.com', B, view.compare?.url, '2026-05-08 09:00 UTC', LINK, 'rm@example.com']) {
      expect(email.text).toContain(fact);
    }
  });

  it('escapes everything in the HTML part, styles inline and loads nothing', () => {
    const email = composeApprovalEmail({ view, from: 'releases@example.com', approver: 'rm@example.com', link: LINK });

    expect(email.html).toContain('Fix &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;');
    expect(email.html).not.toContain('<script');
    expect(email.html).toContain(`href="${LINK}"`);
    expect(email.html).toContain(`href="${view.compare?.url}"`);
    expect(email.html).toContain('Dev &lt;dev@example.com&gt;');
    expect(email.html).not.toMatch(/<style|<link|<img|src=|url\(/i);
    // Every link goes to the approval page or the git host.
    const hrefs = [...email.html.matchAll(/href="([^"]*)"/g)].map((match) => match[1]);
    expect(hrefs.every((href) => href === LINK || href?.startsWith('https://github.com/acme/sample-service'))).toBe(true);
  });

  it('says what accepting means and copes with an unknown commit and an empty environment', () => {
    const { message: _message, author: _author, compare: _compare, ...bare } = view;

    const email = composeApprovalEmail({ view: { ...bare, gate: 'accept', runningNow: null, nextEnvironment: undefined }, from: 'r@example.com', approver: 'qa@example.com', link: LINK });

    expect(email.text).toContain('Accept after tests');
    expect(email.text).toContain('its tests passed');
    expect(email.text).toContain('nothing deployed yet');
    expect(email.text).toContain('no commit message recorded');
    expect(email.text).not.toContain('Changes:');
  });
});

describe('html template', () => {
  it('escapes interpolated values but not nested templates', () => {
    const inner = html`<b>${'<i>'}</b>`;

    expect(html`<p title="${'"x" & \'y\''}">${inner}${['<', html`<br>`]}${null}${false}${0}</p>`.value).toBe(
      '<p title="&quot;x&quot; &amp; &#39;y&#39;"><b>&lt;i&gt;</b>&lt;<br>0</p>',
    );
    expect(escapeHtml('<>&"\'')).toBe('&lt;&gt;&amp;&quot;&#39;');
  });
});
