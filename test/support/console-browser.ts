import { readFileSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createLocalHttpServer } from '../../local/http-server';
import type { LocalRoute } from '../../local/http-server';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const AXE = readFileSync('node_modules/axe-core/axe.min.js', 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  nodes: Array<{ target: string[] }>;
}

export interface ConsoleSession {
  readonly baseUrl: string;
  readonly browser: Browser;
  /** A page at 1280 px whose policy violations and errors are collected below. */
  readonly page: Page;
  readonly cspViolations: string[];
  readonly pageErrors: string[];
  close(): Promise<void>;
}

/** The console's routes served on loopback by local mode's HTTP server, and headless Chromium to open them. */
export async function openConsole(routes: LocalRoute[]): Promise<ConsoleSession> {
  const server = createLocalHttpServer({ routes });
  const baseUrl = `http://127.0.0.1:${await server.listen(0)}`;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const cspViolations: string[] = [];
  const pageErrors: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
  });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  return {
    baseUrl,
    browser,
    page,
    cspViolations,
    pageErrors,
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

/** axe-core's serious and critical findings on the page as it is now. */
export async function accessibilityProblems(target: Page): Promise<string[]> {
  const violations = await target.evaluate(async (source: string) => {
    // axe is evaluated by the test (DevTools protocol), not loaded by the page: the page's policy allows no inline script.
    (0, eval)(source);
    const axe = (globalThis as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: AxeViolation[] }> } }).axe;
    return (await axe.run(document, { resultTypes: ['violations'] })).violations;
  }, AXE);
  return violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical').map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
}
