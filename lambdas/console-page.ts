import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONSOLE_ASSETS, CONSOLE_ASSETS_DIR, CONSOLE_PAGE_ROUTES, type ConsoleAssetName, type ConsoleAssets } from '../core/console-routes';
import { html } from '../core/html-escape';
import type { ConsoleSignIn } from './console-auth';
import { ENV } from './handler-environment';
import { errorResponse } from './http';

export interface ConsolePageDeps {
  readonly product: string;
  readonly signIn: ConsoleSignIn;
  /** The bundled script and style; read (or built) once. */
  readonly assets: () => Promise<ConsoleAssets>;
}

/**
 * `GET /console` (and `/` in local mode): the page; `GET /console/assets/{file}`: its script and style.
 * Public on AWS: they hold no data, and the page signs in before it asks the console API for any.
 */
export function consolePageHandler(deps: ConsolePageDeps) {
  return async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    const route = CONSOLE_PAGE_ROUTES.find((candidate) => candidate.resource === event.resource) ?? (event.resource === '/' ? CONSOLE_PAGE_ROUTES[0] : undefined);
    if (!route) return errorResponse(404, 'not_found', 'no such route');
    if (event.httpMethod !== 'GET') return errorResponse(405, 'method_not_allowed', 'use GET here');
    const assets = await deps.assets();
    if (route.name === 'page') return consolePage(event, { product: deps.product, signIn: deps.signIn, assets });
    return assetResponse(event.pathParameters?.file ?? '', assets) ?? errorResponse(404, 'not_found', 'no such asset');
  };
}

/**
 * The console's one HTML page: an empty shell that loads the bundled script and style from
 * `/console/assets/`. What the script needs to know (where the API is, how to sign in) travels in `data-`
 * attributes, escaped, so the policy can forbid every inline script and style.
 */
export function consolePage(event: APIGatewayProxyEvent, options: { product: string; signIn: ConsoleSignIn; assets: ConsoleAssets }): APIGatewayProxyResult {
  const base = basePath(event);
  const { signIn, assets } = options;
  const asset = (name: ConsoleAssetName) => `${base}/console/assets/${name}?v=${version(assets[name])}`;
  const auth = signIn.kind === 'cognito' ? html` data-auth="cognito" data-domain="${signIn.domainUrl}" data-client-id="${signIn.clientId}"` : html` data-auth="local"`;
  const page = html`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex,nofollow"><title>${options.product} · releases</title>
<link rel="stylesheet" href="${asset('console.css')}">
<script type="module" src="${asset('console.js')}"></script>
</head>
<body data-base="${base}" data-product="${options.product}"${auth}>
<main id="app"><p>Loading the release board…</p></main>
<noscript><p>The release console needs JavaScript. The cot CLI shows the same board: cot status.</p></noscript>
</body></html>
`;
  const connect = signIn.kind === 'cognito' ? ` ${signIn.domainUrl}` : '';
  return {
    statusCode: 200,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      // Our own script and style only; the token endpoint of the user pool for signing in; no framing.
      'content-security-policy': `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'${connect}; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    },
    body: page.value,
  };
}

export function assetResponse(name: string, assets: ConsoleAssets): APIGatewayProxyResult | undefined {
  if (!Object.hasOwn(CONSOLE_ASSETS, name)) return undefined;
  const file = name as ConsoleAssetName;
  return {
    statusCode: 200,
    headers: {
      'content-type': CONSOLE_ASSETS[file],
      // Named by version in the page's links: a new build is a new URL.
      'cache-control': 'public, max-age=300',
      'x-content-type-options': 'nosniff',
    },
    body: assets[file],
  };
}

/**
 * The path the page is served under: API Gateway puts the stage first (`/prod/console`) and tells the
 * handler the path without it; local mode has no stage.
 */
function basePath(event: APIGatewayProxyEvent): string {
  const full = event.requestContext?.path ?? event.path;
  const path = event.path ?? '';
  const base = full.endsWith(path) ? full.slice(0, full.length - path.length) : '';
  return base.replace(/\/+$/, '');
}

function version(content: string): string {
  return createHash('sha256').update(content).digest('hex').slice(0, 12);
}

/** The assets the stack bundled next to the function's code (`lib/console.ts`). */
function bundledAssets(codeDir: string): ConsoleAssets {
  const read = (file: ConsoleAssetName) => readFileSync(join(codeDir, CONSOLE_ASSETS_DIR, file), 'utf8');
  return { 'console.js': read('console.js'), 'console.css': read('console.css') };
}

/**
 * Lambda entry point. Made on first use (no AWS client: this function reads its environment and its
 * bundled files only, and imports nothing of the CMDB's wiring).
 */
let page: ReturnType<typeof consolePageHandler> | undefined;
export const handler = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  try {
    if (!page) {
      const assets = bundledAssets(given('LAMBDA_TASK_ROOT'));
      page = consolePageHandler({
        product: given(ENV.product),
        signIn: { kind: 'cognito', domainUrl: given(ENV.userPoolDomainUrl), clientId: given(ENV.userPoolClientId) },
        assets: async () => assets,
      });
    }
    return await page(event);
  } catch (error) {
    console.error('the console page could not be served', error);
    return errorResponse(503, 'unavailable', 'the console page is not available right now');
  }
};

function given(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`the console-page function's environment lacks ${name}`);
  return value;
}
