import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { lazyConsoleAssets } from '../console/build';
import { CONSOLE_API_ROUTES, CONSOLE_PAGE_ROUTES } from '../core/console-routes';
import type { StepLog } from '../core/console-views';
import type { ReleaseView } from '../core/release-views';
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
export function localConsoleRoutes(handlers: Pick<ReleaseComposition, 'console'>, options: { dataDir: string }): LocalRoute[] {
  const deps = handlers.console();
  const page = consolePageHandler({ product: deps.config.product, signIn: { kind: 'local' }, assets: lazyConsoleAssets() });
  const api = consoleHandler({ ...deps, authenticate: localAuthenticator(), stepLogs: async (release) => localStepLogs(options.dataDir, release) });
  return [
    { method: 'GET', resource: '/', handler: page },
    ...CONSOLE_PAGE_ROUTES.map((route) => ({ method: route.method, resource: route.resource, handler: page })),
    ...CONSOLE_API_ROUTES.map((route) => ({ method: route.method, resource: route.resource, handler: api })),
  ];
}

/**
 * The logs the local buildspec runner wrote for a release: `<data>/logs/<repository>/<commit>-<environment
 * or build>-<step>-<ms>.log` (adapters/local/local-codebuild.ts), of its commit and environment, written
 * while it ran. A continuous run also built the commit.
 */
export function localStepLogs(dataDir: string, release: Pick<ReleaseView, 'repository' | 'environment' | 'commit' | 'kind' | 'createdAt' | 'finishedAt'>): StepLog[] {
  const dir = join(dataDir, 'logs', release.repository);
  let files: string[];
  try {
    files = readdirSync(dir);
  } catch {
    return [];
  }
  const from = Date.parse(release.createdAt);
  const to = release.finishedAt ? Date.parse(release.finishedAt) : Number.POSITIVE_INFINITY;
  const places = release.kind === 'deploy' ? [release.environment, 'build'] : [release.environment];
  return files
    .flatMap((file) => {
      const found = /^([0-9a-f]{12})-(.+)-(build|deploy|test)-(\d+)\.log$/.exec(file);
      if (!found || found[1] !== release.commit.slice(0, 12) || !places.includes(found[2] ?? '')) return [];
      const at = Number(found[4]);
      return at >= from && at <= to ? [{ step: found[3] ?? '', at: new Date(at).toISOString(), url: join(dir, file) }] : [];
    })
    .sort((a, b) => a.at.localeCompare(b.at));
}
