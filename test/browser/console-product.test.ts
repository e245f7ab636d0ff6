import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReleaseConfig } from '../../core/config';
import { localConsoleRoutes } from '../../local/console-routes';
import { accessibilityProblems, openConsole, type ConsoleSession } from '../support/console-browser';
import { productHarness } from '../support/product-harness';

const WAIT = { timeout: 60_000 };
const DAY = 86_400_000;

/** Two repositories (`web` deploys after `api`); production frozen from a day ago to a day from now. */
function twoRepositoryConfig(): ReleaseConfig {
  const repository = (name: string, deployAfter?: string[]) => ({ name, provider: 'github', url: `https://github.com/acme/${name}`, localPath: 'examples/sample-service', ...(deployAfter ? { deployAfter } : {}) });
  return ReleaseConfig.parse({
    product: 'shop',
    repositories: [repository('api'), repository('web', ['api'])],
    environments: [
      { name: 'integration', mode: 'continuous', branch: 'main' },
      { name: 'preproduction', mode: 'approval', approvers: ['qa@example.com'] },
      {
        name: 'production',
        mode: 'approval',
        approvers: ['release-manager@example.com'],
        freeze: [{ from: new Date(Date.now() - DAY).toISOString(), to: new Date(Date.now() + DAY).toISOString(), reason: 'Black Friday <b>weekend</b>' }],
      },
    ],
    notifications: { from: 'releases@example.com' },
  });
}

/**
 * The console's product row in headless Chromium against local mode's server and handlers: changes
 * waiting after commits reach integration, a promotion started and approved from the console, the
 * accepted set shown, a frozen environment asking for an override, and the delivery metrics panel.
 */
describe('web console: the product row and the metrics panel (local mode, Chromium)', async () => {
  const h = await productHarness(twoRepositoryConfig());
  let session: ConsoleSession;
  let page: Page;
  beforeAll(async () => {
    session = await openConsole(localConsoleRoutes(h.release.handlers, { dataDir: h.dataDir }));
    page = session.page;
  });
  afterAll(() => session?.close());
  const home = () => page.goto(`${session.baseUrl}/`);

  /** `npm run screenshots` sets it: the run also writes the board with its product row in docs/. */
  async function screenshot(name: string): Promise<void> {
    if (process.env.COT_SCREENSHOTS === '1') await page.screenshot({ path: `docs/console-${name}.png`, fullPage: true });
  }

  const productCell = (environment: string) => page.locator(`tr.product-row td[data-label="${environment}"]`);

  it('shows changes waiting, promotes and approves from the console, then the accepted set; a frozen environment asks why', async () => {
    // Prepare: a commit of each repository accepted in integration (web's message hostile).
    await home();
    await page.locator('tr.product-row').waitFor(WAIT);
    const api = await h.acceptedInIntegration('api', 'Faster search');
    const web = await h.acceptedInIntegration('web', 'New <img src=x onerror=alert(1)> banner');

    // Assess: preproduction's product cell says two changes wait, listing each repository's commit.
    await productCell('preproduction').getByText('2 changes waiting').waitFor(WAIT);
    const members = productCell('preproduction').locator('ul.members li');
    expect(await members.allTextContents()).toEqual([`api ${api.slice(0, 7)}`, `web ${web.slice(0, 7)}`]);
    expect(await members.nth(1).locator('a').getAttribute('href')).toBe(`https://github.com/acme/web/commit/${web}`);
    expect(await page.locator('img').count()).toBe(0);
    expect(await accessibilityProblems(page)).toEqual([]);

    // Act: promote the product into preproduction from its cell.
    await productCell('preproduction').getByRole('button', { name: 'Promote to preproduction' }).click();
    await productCell('preproduction').getByText(/Promotion \S+ of api, web started\./).waitFor(WAIT);

    // Act: its acceptance waits; decide it from the product's page, typing the environment.
    await productCell('preproduction').getByRole('link', { name: 'Decide' }).click(WAIT);
    const confirm = page.getByLabel('Type preproduction to confirm');
    await confirm.waitFor(WAIT);
    expect(await accessibilityProblems(page)).toEqual([]);
    await confirm.fill('preproduction');
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.getByText(/Approved by local:/).waitFor(WAIT);

    // Assess: back on the board, the accepted set of preproduction, nothing waiting any more.
    await page.getByRole('link', { name: '← Board' }).click();
    await productCell('preproduction').getByText('accepted set').waitFor(WAIT);
    await productCell('preproduction').getByText('no change waiting below').waitFor(WAIT);
    const setLink = productCell('preproduction').locator('a', { hasText: 'promotion' });
    expect(await setLink.getAttribute('href')).toMatch(/^#\/release\/\S+$/);
    expect(h.deployedCommit('api', 'preproduction')).toBe(api);
    expect(h.deployedCommit('web', 'preproduction')).toBe(web);
    await screenshot('product-1280');

    // Act: roll the last promotion back: it had nothing accepted before it, which the cell says.
    await productCell('preproduction').getByRole('button', { name: 'Roll back the last promotion in preproduction' }).click();
    await productCell('preproduction').getByRole('alert').getByText(/^nothing to roll back in preproduction: promotion \S+ had nothing accepted before it/).waitFor(WAIT);

    // Act: production is frozen: the promotion is refused with the window's reason, and an override field appears.
    await productCell('production').getByText('2 changes waiting').waitFor(WAIT);
    await productCell('production').getByRole('button', { name: 'Promote to production' }).click();
    await productCell('production').getByRole('alert').getByText(/production is frozen until .*: Black Friday <b>weekend<\/b>/).waitFor(WAIT);
    const why = productCell('production').getByLabel(/The environment is frozen. Why go ahead anyway/);
    await why.fill('INC-7: the fix cannot wait');
    await productCell('production').getByRole('button', { name: 'Promote to production' }).click();

    // Assess: started, with the override recorded on the promotion.
    const started = productCell('production').getByText(/Promotion \S+ of api, web started\./);
    await started.waitFor(WAIT);
    const releaseId = /Promotion (\S+) of/.exec((await started.textContent()) ?? '')?.[1] ?? '';
    expect((await h.release.stores.releases.getRelease(releaseId))?.freezeOverride).toMatchObject({ reason: 'INC-7: the fix cannot wait', by: expect.stringMatching(/^local:/) });
    h.execution(releaseId).abort();

    expect(session.cspViolations).toEqual([]);
    expect(session.pageErrors).toEqual([]);
  }, 300_000);

  it('draws the delivery metrics of an environment from its history: the figures as text, a bar per day', async () => {
    await home();
    await page.getByLabel('Metrics of the environment').selectOption('integration');

    // Two continuous runs were accepted in integration today; preproduction had the two members' deploys.
    const figures = page.getByRole('definition');
    await expect.poll(() => page.locator('dl[aria-label="Delivery metrics of integration"] dd').first().textContent(), WAIT).toMatch(/^[\d.]+ a day \(2 deployments\)$/);
    expect(await figures.allTextContents()).toEqual([expect.stringMatching(/\(2 deployments\)$/), expect.stringMatching(/^median \S+.*, p90 .*\(2 changes\)$/), '0% (0 of 2)', 'nothing restored']);
    const today = new Date().toISOString().slice(0, 10);
    expect(await page.locator(`svg.daily g.day[data-date="${today}"]`).getAttribute('data-deployments')).toBe('2');
    expect(await page.locator('svg.daily').getAttribute('aria-label')).toMatch(/^Deployments per day in integration, .*: 2 in all, at most 2 a day$/);
    expect(await page.locator('svg.daily g.day').count()).toBe(31);
    expect(await accessibilityProblems(page)).toEqual([]);
    expect(session.cspViolations).toEqual([]);
  }, 120_000);
});
