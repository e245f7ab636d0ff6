import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localConsoleRoutes } from '../../local/console-routes';
import { accessibilityProblems, openConsole, type ConsoleSession } from '../support/console-browser';
import { localHarness } from '../support/local-harness';

/** `npm run screenshots` sets it: the run also writes the pictures in docs/. */
const SCREENSHOTS = process.env.COT_SCREENSHOTS === '1';
const WAIT = { timeout: 60_000 };

/**
 * The web console in local mode as a release manager meets it: the board served by local mode's HTTP
 * server and the console handler, the product wired as `npm start` wires it (DynamoDB Local, the
 * workflows rendered from the stack, the sample service's real buildspecs), in headless Chromium.
 */
describe('web console in Chromium (local mode)', async () => {
  const h = await localHarness();
  let session: ConsoleSession;
  let browser: Browser;
  let page: Page;
  let baseUrl: string;
  let cspViolations: string[];
  let pageErrors: string[];

  beforeAll(async () => {
    session = await openConsole(localConsoleRoutes(h.release.handlers, { dataDir: h.dataDir }));
    ({ browser, page, baseUrl, cspViolations, pageErrors } = session);
  });

  afterAll(async () => {
    await session?.close();
  });

  async function screenshot(name: string, target: Page = page): Promise<void> {
    if (SCREENSHOTS) await target.screenshot({ path: `docs/console-${name}.png`, fullPage: true });
  }

  const cell = (environment: string) => page.locator(`td[data-label="${environment}"]`).first();

  it('shows the board, follows a push, releases, approves, rolls back and reads the history without a reload', async () => {
    // Prepare: the board, before anything happened
    const opened = await page.goto(`${baseUrl}/`);
    expect(opened?.status()).toBe(200);
    const csp = opened?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    await expect(page.locator('h1').textContent(WAIT)).resolves.toBe('sample-service: releases');
    await page.locator('td[data-label="integration"]').getByText('nothing deployed yet').waitFor(WAIT);
    // A marker that a reload would wipe.
    await page.evaluate(() => Object.assign(window, { stillTheSamePage: true }));

    // Act: a push reaches integration
    const first = await h.push('Add a greeting <b>bold</b> & more');
    await h.runContinuous(first);

    // Assess: the cell shows it, by itself, escaped, with its state in a word
    await cell('integration').getByText(first.commit.slice(0, 7)).waitFor(WAIT);
    await cell('integration').getByText('accepted').waitFor(WAIT);
    expect(await cell('integration').locator('.message').textContent()).toBe('Add a greeting <b>bold</b> & more');
    expect(await cell('integration').locator('b').count()).toBe(0);
    expect(await cell('integration').locator('a.sha').getAttribute('href')).toBe(`https://github.com/acme/sample-service/commit/${first.commit}`);
    expect(await page.evaluate(() => (window as unknown as { stillTheSamePage?: boolean }).stillTheSamePage)).toBe(true);
    expect(await accessibilityProblems(page)).toEqual([]);

    // Act: release it to preproduction from its cell
    await page.getByRole('link', { name: 'Open sample-service in preproduction' }).click();
    await page.getByLabel('Commit accepted below, newest first').waitFor(WAIT);
    expect(await page.locator('#release-ref option').first().getAttribute('value')).toBe(first.commit);
    await page.getByRole('button', { name: 'Release to preproduction' }).click();
    await page.getByText(/Release \S+ started\./).waitFor(WAIT);

    // Act: approve from the console once its tests passed; a wrong name is refused first
    const confirm = page.getByLabel('Type preproduction to confirm');
    await confirm.waitFor(WAIT);
    await screenshot('cell-1280');
    // Meanwhile, on the board in another tab: the waiting approval with its expiry, in its cell and in the list.
    const board = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await board.goto(`${baseUrl}/`);
    const waiting = board.locator('td[data-label="preproduction"] .pending');
    await waiting.waitFor(WAIT);
    expect(await waiting.textContent()).toMatch(new RegExp(`^waiting: accept after tests of ${first.commit.slice(0, 7)}, expires in \\d+ d$`));
    expect(await board.locator('.pending-list li').textContent()).toContain(`sample-service ${first.commit.slice(0, 7)} → preproduction`);
    expect(await accessibilityProblems(board)).toEqual([]);
    await screenshot('board-1280', board);
    await board.close();
    await confirm.fill('production');
    await page.getByRole('button', { name: 'Approve' }).click();
    await expect(page.getByRole('alert').textContent(WAIT)).resolves.toContain('type the environment\'s name, preproduction, to approve');
    expect(await accessibilityProblems(page)).toEqual([]);
    await confirm.fill('preproduction');
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.getByText(/Approved by local:/).waitFor(WAIT);

    // Assess: the cell turns accepted, and the decision is in its history with who made it
    await page.locator('.summary .badge', { hasText: 'accepted' }).waitFor(WAIT);
    await page.locator('.history-list li').first().getByText(/accept after tests: approve by local:/).waitFor(WAIT);
    await page.getByRole('link', { name: '← Board' }).click();
    await cell('preproduction').getByText('accepted').waitFor(WAIT);
    expect(await cell('preproduction').getByText(first.commit.slice(0, 7)).count()).toBe(1);

    // Act: a second push, then roll integration back to the first from its cell
    const second = await h.push('Change the greeting');
    await h.runContinuous(second);
    await cell('integration').getByText(second.commit.slice(0, 7)).waitFor(WAIT);
    await page.getByRole('link', { name: 'Open sample-service in integration' }).click();
    await page.getByLabel('Go back to').waitFor(WAIT);
    expect(await page.locator('#rollback-to option').allTextContents()).toEqual(['The previous accepted commit', expect.stringContaining(first.commit.slice(0, 7))]);
    await page.getByRole('button', { name: 'Roll back integration' }).click();
    await page.getByText(/Rollback \S+ started\./).waitFor(WAIT);

    // Assess: the first commit runs again, the environment is held, and the history reads newest first
    await page.locator('.summary .badge', { hasText: 'held' }).waitFor(WAIT);
    await page.locator('.summary .badge', { hasText: 'accepted' }).waitFor(WAIT);
    await page.locator('.summary').getByText(first.commit.slice(0, 7)).waitFor(WAIT);
    const history = page.locator('.history-list > li');
    await expect.poll(() => history.count(), WAIT).toBe(3);
    expect(await history.nth(0).textContent()).toContain('rollback');
    expect(await history.nth(1).textContent()).toContain(second.commit.slice(0, 7));
    expect(await history.nth(2).textContent()).toContain(first.commit.slice(0, 7));

    // Act: resume the held environment
    await page.getByRole('button', { name: 'Resume deploys' }).click();
    await page.getByText('integration takes new pushes again.').waitFor(WAIT);
    await expect.poll(() => page.locator('.summary .badge', { hasText: 'held' }).count(), WAIT).toBe(0);

    // Act: the release page of the rollback shows its steps
    await history.nth(0).getByRole('link', { name: 'steps' }).click();
    await page.locator('ol.steps li').first().waitFor(WAIT);
    expect(await page.locator('h1').textContent()).toMatch(/^Rollback /);
    expect(await page.locator('ol.steps').textContent()).toContain('deploying');
    // Each step's log: the files the local buildspec runner wrote for this rollback's deploy and test.
    await expect.poll(() => page.locator('ul.logs li strong').allTextContents(), WAIT).toEqual(['deploy', 'test']);
    expect(await page.locator('ul.logs code').first().textContent()).toContain(`${first.commit.slice(0, 12)}-integration-deploy-`);
    expect(await accessibilityProblems(page)).toEqual([]);

    expect(await page.evaluate(() => (window as unknown as { stillTheSamePage?: boolean }).stillTheSamePage)).toBe(true);
    expect(cspViolations).toEqual([]);
    expect(pageErrors).toEqual([]);
  }, 300_000);

  it('reads well on a phone: the board and a cell at 390 px, with no serious accessibility finding', async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
    await phone.goto(`${baseUrl}/`);
    await phone.locator('td[data-label="preproduction"]').getByText('accepted').waitFor(WAIT);
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(await accessibilityProblems(phone)).toEqual([]);
    await screenshot('board-390', phone);
    await phone.getByRole('link', { name: 'Open sample-service in preproduction' }).click();
    await phone.locator('.history-list li').first().waitFor(WAIT);
    expect(await accessibilityProblems(phone)).toEqual([]);
    await screenshot('cell-390', phone);
    await phone.close();
  }, 120_000);

  it('refuses the console API to another origin, as the operator API refuses browsers', async () => {
    const response = await fetch(`${baseUrl}/console/api/rollbacks`, {
      method: 'POST',
      headers: { origin: 'http://evil.example', 'content-type': 'application/json' },
      body: JSON.stringify({ repository: 'sample-service', environment: 'integration' }),
    });
    expect(response.status).toBe(403);
    const own = await fetch(`${baseUrl}/console/api/board`, { headers: { origin: baseUrl } });
    expect(own.status).toBe(200);
  });
});
