import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decisionPage } from '../../lambdas/approval-html';
import { A, B, promotionView } from '../support/promotion-view';

/** The approval page of a promotion, rendered by the page handler's template, in real headless Chromium. */
describe('a promotion\'s approval page in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'] });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('shows one row per member with its commit linked on its git host, and runs nothing a commit message carries', async () => {
    const page = await browser.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });

    await page.setContent(decisionPage({ view: promotionView, approver: 'qa@example.com', token: 't' }).value);

    const rows = page.locator('table').nth(1).locator('tr');
    expect(await rows.count()).toBe(3);
    expect(await rows.nth(1).locator('td').first().textContent()).toBe('api');
    expect(await page.locator(`a[href="https://github.com/acme/api/commit/${A}"]`).textContent()).toBe(A.slice(0, 7));
    expect(await page.locator(`a[href="https://gitlab.com/acme/web/-/commit/${B}"]`).textContent()).toBe(B.slice(0, 7));
    expect(await rows.nth(1).textContent()).toContain('Fix <img src=x onerror=alert(1)>');
    expect(await page.locator('img').count()).toBe(0);
    expect(dialogs).toEqual([]);
    await page.close();
  });
});
