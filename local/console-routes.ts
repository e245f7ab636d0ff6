import { lazyConsoleAssets } from '../console/build';
import { CONSOLE_API_ROUTES, CONSOLE_PAGE_ROUTES } from '../core/console-routes';
import { consoleHandler } from '../lambdas/console';
import { localAuthenticator } from '../lambdas/console-auth';
import { consolePageHandler } from '../lambdas/console-page';
import type { ReleaseComposition } from '../lambdas/compose';
import type { LocalRoute } from './http-server';

/**
 * The web console in local mode (docs/console.md#local-mode): the board at `/` and `/console`, its
 * assets bundled by esbuild on first request, its API under `/console/api/*` through the same handler
 * as on AWS, with no sign-in: the loopback server names the local user and refuses other origins.
 */
export function localConsoleRoutes(handlers: Pick<ReleaseComposition, 'console'>): LocalRoute[] {
  const deps = handlers.console();
  const page = consolePageHandler({ product: deps.config.product, signIn: { kind: 'local' }, assets: lazyConsoleAssets() });
  const api = consoleHandler({ ...deps, authenticate: localAuthenticator() });
  return [
    { method: 'GET', resource: '/', handler: page },
    ...CONSOLE_PAGE_ROUTES.map((route) => ({ method: route.method, resource: route.resource, handler: page })),
    ...CONSOLE_API_ROUTES.map((route) => ({ method: route.method, resource: route.resource, handler: api })),
  ];
}
