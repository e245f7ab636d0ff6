import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalHttpServer, type LocalHttpServer } from '../../local/http-server';
import { COMMIT, createFixture, outboxFiles, parseEml, type Fixture } from '../lambdas/approval-harness';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-dev-shm-usage',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * The approval page as an approver meets it: the link read from the emailed file, opened in real headless
 * Chromium (Debian's, installed by .ci/run), served by local mode's HTTP server and the page handler in
 * process, against DynamoDB Local.
 */
describe('approval page in Chromium', () => {
  let f: Fixture;
  let server: LocalHttpServer;
  let browser: Browser;
  let page: Page;
  const cspViolations: string[] = [];

  beforeAll(async () => {
    f = await createFixture();
    server = createLocalHttpServer({
      routes: ['GET', 'HEAD', 'POST'].map((method) => ({ method, resource: '/approvals/{id}', handler: f.handler })),
    });
    f.baseUrl = `http://127.0.0.1:${await server.listen(0)}`;
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    page = await browser.newPage();
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** The link emailed to `approver` for the approval, from its outbox file's text part. */
  async function emailedLink(approvalId: string, approver: string): Promise<string> {
    const file = (await outboxFiles(f.outbox)).map((item) => parseEml(item.source)).find((email) => email.headers.to === approver && email.parts[0]?.body.includes(approvalId));
    const link = /http:\/\/127\.0\.0\.1:\d+\/approvals\/\S+/.exec(file?.parts[0]?.body ?? '')?.[0];
    if (!link) throw new Error(`no link for ${approver} in the outbox`);
    return link;
  }

  it('opens the emailed link, shows the commit, and approves once the environment is typed', async () => {
    // Prepare
    const { approval } = await f.pending();
    const link = await emailedLink(approval.approvalId, 'rm@example.com');

    // Act: open the link, as a person (or a mail scanner) would
    const opened = await page.goto(link);

    // Assess: the decision is shown, nothing changed
    expect(opened?.status()).toBe(200);
    expect(opened?.headers()['content-security-policy']).toContain("default-src 'none'");
    await expect(page.locator('body').textContent()).resolves.toContain(COMMIT);
    expect(await page.locator('h1').textContent()).toContain(COMMIT.slice(0, 7));
    expect((await f.db.approvals.getApproval(approval.approvalId))?.status).toBe('pending');
    expect(f.workflows.calls).toBe(0);

    // Act: a reject without a reason is stopped by the browser (`required`)
    await page.getByRole('button', { name: 'Reject' }).click();
    expect(await page.locator('textarea[name=comment]:invalid').count()).toBe(1);
    expect(page.url()).toBe(link);

    // Act: a wrong name is refused by the server, with the form shown again
    await page.getByLabel('Type production to confirm').fill('prod');
    const refused = await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Approve' }).click()]).then(([response]) => response);
    expect(refused?.status()).toBe(400);
    expect(await page.getByRole('alert').textContent()).toContain('production');
    expect((await f.db.approvals.getApproval(approval.approvalId))?.status).toBe('pending');

    // Act: type the environment's name and approve
    await page.getByLabel('Type production to confirm').fill('production');
    const approved = await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Approve' }).click()]).then(([response]) => response);

    // Assess
    expect(approved?.status()).toBe(200);
    expect(new URL(page.url()).pathname).toBe(`/approvals/${approval.approvalId}`);
    expect(await page.getByRole('status').textContent()).toContain('Approved by rm@example.com');
    expect(f.workflows.successes).toEqual([{ taskToken: approval.taskToken, output: { decision: 'approve', by: 'rm@example.com' } }]);
    expect(f.workflows.failures).toEqual([]);
    expect(await f.db.approvals.getApproval(approval.approvalId)).toMatchObject({ status: 'approved', decidedBy: 'rm@example.com' });

    // Act: reopen the link, as a second click would
    await page.goto(link);
    expect(await page.getByRole('status').textContent()).toContain('Already approved by rm@example.com');
    expect(await page.locator('form').count()).toBe(0);
    expect(f.workflows.calls).toBe(1);
    expect(cspViolations).toEqual([]);
  });

  it('refuses a reject posted without a comment, and leaves the approval pending', async () => {
    const { approval } = await f.pending();
    const link = await emailedLink(approval.approvalId, 'cto@example.com');
    const calls = f.workflows.calls;

    const response = await fetch(new URL(link).origin + new URL(link).pathname, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ t: new URL(link).searchParams.get('t') ?? '', decision: 'reject' }),
    });

    expect(response.status).toBe(400);
    expect(await response.text()).toContain('a rejection needs a comment');
    expect((await f.db.approvals.getApproval(approval.approvalId))?.status).toBe('pending');
    expect(f.workflows.calls).toBe(calls);
  });
});
