import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleHandler } from '../../lambdas/console';
import { cognitoAuthenticator } from '../../lambdas/console-auth';
import { consolePageHandler } from '../../lambdas/console-page';
import { lazyConsoleAssets } from '../../console/build';
import { CONSOLE_API_ROUTES, CONSOLE_PAGE_ROUTES } from '../../core/console-routes';
import { createLocalHttpServer, type LocalHttpServer } from '../../local/http-server';
import { CLIENT_ID, testUserPool } from '../support/cognito-tokens';
import { localHarness } from '../support/local-harness';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const WAIT = { timeout: 30_000 };

/**
 * Signing in as on AWS, in Chromium: the page as the stack serves it (Cognito sign-in settings), the
 * console API behind the stack's token verifier, and on another loopback port the two hosted UI endpoints
 * the page uses (`/oauth2/authorize`, `/oauth2/token`) as Cognito answers them, issuing ID tokens signed by
 * keys the test made. It checks the page's side of the authorization code flow with PKCE.
 */
describe('console sign-in (authorization code with PKCE) in Chromium', async () => {
  const h = await localHarness();
  const pool = testUserPool();
  let hostedUi: Server;
  let server: LocalHttpServer;
  let browser: Browser;
  let hostedUiUrl = '';
  let consoleUrl = '';
  const seen: { authorize?: URLSearchParams; token?: URLSearchParams; logout?: URLSearchParams } = {};
  let challenge = '';

  beforeAll(async () => {
    hostedUi = createServer((request, response) => {
      const url = new URL(request.url ?? '/', hostedUiUrl);
      if (url.pathname === '/oauth2/authorize') {
        seen.authorize = url.searchParams;
        challenge = url.searchParams.get('code_challenge') ?? '';
        const back = new URL(url.searchParams.get('redirect_uri') ?? '');
        back.search = new URLSearchParams({ code: 'the-code', state: url.searchParams.get('state') ?? '' }).toString();
        response.writeHead(302, { location: back.toString() }).end();
        return;
      }
      if (url.pathname === '/logout') {
        seen.logout = url.searchParams;
        response.writeHead(200, { 'content-type': 'text/plain' }).end('signed out');
        return;
      }
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const form = new URLSearchParams(Buffer.concat(chunks).toString());
        seen.token = form;
        const verifier = form.get('code_verifier') ?? '';
        const valid = form.get('code') === 'the-code' && createHash('sha256').update(verifier).digest('base64url') === challenge;
        response.writeHead(valid ? 200 : 400, { 'content-type': 'application/json', 'access-control-allow-origin': '*' });
        response.end(JSON.stringify(valid ? { id_token: pool.idToken('mara', ['release-managers']), refresh_token: 'refresh', token_type: 'Bearer' } : { error: 'invalid_grant' }));
      });
    });
    await new Promise<void>((resolve) => hostedUi.listen(0, '127.0.0.1', resolve));
    hostedUiUrl = `http://127.0.0.1:${(hostedUi.address() as AddressInfo).port}`;

    const page = consolePageHandler({ product: 'sample-service', signIn: { kind: 'cognito', domainUrl: hostedUiUrl, clientId: CLIENT_ID }, assets: lazyConsoleAssets() });
    const api = consoleHandler({ ...h.release.handlers.console(), authenticate: cognitoAuthenticator(pool.verifier) });
    server = createLocalHttpServer({
      routes: [
        ...CONSOLE_PAGE_ROUTES.map((route) => ({ method: route.method, resource: route.resource, handler: page })),
        ...CONSOLE_API_ROUTES.map((route) => ({ method: route.method, resource: route.resource, handler: api })),
      ],
    });
    consoleUrl = `http://127.0.0.1:${await server.listen(0)}/console`;
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await new Promise((resolve) => hostedUi?.close(resolve));
  });

  it('sends a signed-out person to the hosted UI, exchanges the code with its verifier, and shows the board as them', async () => {
    const page = await browser.newPage();
    const tokenRequests: string[] = [];
    page.on('request', (request) => {
      if (request.url().startsWith(`${hostedUiUrl}/oauth2/token`)) tokenRequests.push(request.method());
    });

    await page.goto(consoleUrl);

    await page.locator('.who').getByText('mara@example.com').waitFor(WAIT);
    await page.locator('table.board').waitFor(WAIT);
    expect(Object.fromEntries(seen.authorize ?? [])).toMatchObject({ response_type: 'code', client_id: CLIENT_ID, redirect_uri: consoleUrl, code_challenge_method: 'S256', scope: 'openid email profile' });
    expect(Object.fromEntries(seen.token ?? [])).toMatchObject({ grant_type: 'authorization_code', client_id: CLIENT_ID, code: 'the-code', redirect_uri: consoleUrl });
    expect(tokenRequests).toEqual(['POST']);
    // The code is not left in the address bar, and the token stays in this tab.
    expect(page.url()).toBe(consoleUrl);
    expect(await page.evaluate(() => sessionStorage.getItem('cot.idToken')?.split('.').length)).toBe(3);

    // Act: sign out
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${hostedUiUrl}/logout**`, WAIT);
    expect(Object.fromEntries(seen.logout ?? [])).toEqual({ client_id: CLIENT_ID, logout_uri: consoleUrl });
    await page.close();
  }, 90_000);

  it('answers 401 to the API without a token, so the page signs in again', async () => {
    const response = await fetch(`${new URL(consoleUrl).origin}/console/api/board`, { headers: { origin: new URL(consoleUrl).origin } });
    expect(response.status).toBe(401);
  });
});
