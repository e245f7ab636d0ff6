import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { createHash } from 'node:crypto';
import { CONSOLE_ASSETS, type ConsoleAssetName, type ConsoleAssets } from '../core/console-routes';
import { html } from '../core/html-escape';
import type { ConsoleSignIn } from './console-auth';

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
