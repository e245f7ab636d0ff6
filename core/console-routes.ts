/**
 * The web console's routes (docs/console.md): the page, its bundled assets, and its own API under
 * `/console/api/*`. One list for the construct that adds them on AWS (`lib/console.ts`), local mode
 * (`local/run-local.ts`) and the handler that routes them (`lambdas/console.ts`).
 *
 * The console API is separate from the operators' `/api/*`: on AWS a method has one authoriser, and
 * `/api/*` stays `AWS_IAM` for the CLI while these use the Cognito user pool.
 */
export const CONSOLE_PAGE_ROUTES = [
  { name: 'page', method: 'GET', resource: '/console' },
  { name: 'asset', method: 'GET', resource: '/console/assets/{file}' },
] as const;

export const CONSOLE_API_ROUTES = [
  { name: 'board', method: 'GET', resource: '/console/api/board' },
  { name: 'history', method: 'GET', resource: '/console/api/history/{repository}/{environment}' },
  { name: 'candidates', method: 'GET', resource: '/console/api/candidates/{repository}/{environment}' },
  { name: 'createRelease', method: 'POST', resource: '/console/api/releases' },
  { name: 'showRelease', method: 'GET', resource: '/console/api/releases/{id}' },
  { name: 'createRollback', method: 'POST', resource: '/console/api/rollbacks' },
  { name: 'decide', method: 'POST', resource: '/console/api/approvals/{id}' },
  { name: 'resume', method: 'POST', resource: '/console/api/resume' },
  // The product row and the metrics panel (docs/console.md#the-product-row).
  { name: 'createPromotion', method: 'POST', resource: '/console/api/promotions' },
  { name: 'metrics', method: 'GET', resource: '/console/api/metrics' },
] as const;

export type ConsoleApiRoute = (typeof CONSOLE_API_ROUTES)[number];
export type ConsoleRoute = (typeof CONSOLE_PAGE_ROUTES)[number] | ConsoleApiRoute;

/** The files the page loads from `/console/assets/{file}`, as the build names them. */
export const CONSOLE_ASSETS = {
  'console.js': 'text/javascript; charset=utf-8',
  'console.css': 'text/css; charset=utf-8',
} as const;

export type ConsoleAssetName = keyof typeof CONSOLE_ASSETS;
export type ConsoleAssets = Readonly<Record<ConsoleAssetName, string>>;

/** The folder, next to the console function's code, that the stack bundles the assets into. */
export const CONSOLE_ASSETS_DIR = 'console-assets';
