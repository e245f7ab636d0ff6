import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config-file';
import { gitHostServer, type GitHostServer } from '../support/git-host-server';
import { localHarness } from '../support/local-harness';
import { productHarness, threeRepositoryConfig } from '../support/product-harness';

type Harness = Awaited<ReturnType<typeof localHarness>>;

const CONSOLE = 'http://127.0.0.1:3999/';
const TOKEN_SECRET = 'sample-service-github-token';

/** The handlers' logger, keeping each warning (message and extra fields) and printing nothing. */
class WarningsLogger extends Logger {
  readonly warnings: Array<[unknown, ...unknown[]]> = [];
  constructor() {
    super({ serviceName: 'commit-statuses-test', logLevel: 'SILENT' });
  }
  override warn(...args: Parameters<Logger['warn']>): void {
    this.warnings.push(args);
  }
}

/** The GitHub statuses the stand-in host received for one commit, as `{state, context, description, target_url}`. */
function statusesOf(host: GitHostServer, commit: string, repository = 'sample-service') {
  return host.seen
    .filter((request) => request.url === `/repos/acme/${repository}/statuses/${commit}`)
    .map((request) => JSON.parse(request.body) as { state: string; context: string; description: string; target_url?: string });
}

describe('commit statuses from the workflows, against a loopback git host (docs/operations.md#commit-statuses)', () => {
  let host: GitHostServer;
  let h: Harness;
  let token: string;
  const logger = new WarningsLogger();
  beforeAll(async () => {
    host = await gitHostServer();
    const config = loadConfig('release.config.yaml');
    h = await localHarness({
      config: { ...config, repositories: config.repositories.map((repository) => ({ ...repository, commitStatus: { tokenSecret: TOKEN_SECRET, apiUrl: host.base } })) },
      consoleUrl: () => CONSOLE,
      logger,
    });
    // Local mode's secret store: <data>/secrets/<name>.
    token = await h.release.secrets.get(TOKEN_SECRET);
  }, 60_000);
  afterAll(() => host.close());
  beforeEach(() => host.reset());

  it('a push shows cot/integration pending while it deploys, then success, linked to the release page', async () => {
    const input = await h.push('A change');
    const result = await h.runContinuous(input);

    expect(result.status).toBe('SUCCEEDED');
    const [release] = (await h.release.stores.releases.history('sample-service', 'integration')).items;
    const link = `${CONSOLE}#/release/${release?.releaseId}`;
    expect(statusesOf(host, input.commit)).toEqual([
      { state: 'pending', context: 'cot/integration', description: 'deploying', target_url: link },
      { state: 'success', context: 'cot/integration', description: 'deployed and tested', target_url: link },
    ]);
    // Every request as GitHub documents it: the token of the configured secret, the API version.
    for (const request of host.seen) {
      expect(request.method).toBe('POST');
      expect(request.headers.authorization).toBe(`token ${token}`);
      expect(request.headers['x-github-api-version']).toBe('2022-11-28');
    }
  });

  it('a failing deploy shows cot/integration failure', async () => {
    const input = await h.push('Break the deploy', { FAIL_DEPLOY: '' });
    const result = await h.runContinuous(input);
    await h.push('Mend the deploy', { FAIL_DEPLOY: null });

    expect(result.status).toBe('FAILED');
    expect(statusesOf(host, input.commit).map(({ state, description }) => [state, description])).toEqual([
      ['pending', 'deploying'],
      ['failure', 'deploy failed'],
    ]);
  });

  it('a release into an approval environment is pending until it is accepted, then success', async () => {
    const input = await h.push('Feature for preproduction');
    expect((await h.runContinuous(input)).status).toBe('SUCCEEDED');
    host.reset();

    const { releaseId, result } = await h.prepare('preproduction', input.commit);
    await h.decide((await h.pendingApproval(releaseId, 'accept')).id, 'approve', 'qa@example.com');

    expect((await result).status).toBe('SUCCEEDED');
    expect(statusesOf(host, input.commit).map(({ state, context, description, target_url }) => [state, context, description, target_url])).toEqual([
      ['pending', 'cot/preproduction', 'deploying', `${CONSOLE}#/release/${releaseId}`],
      ['pending', 'cot/preproduction', 'tested, waiting for acceptance', `${CONSOLE}#/release/${releaseId}`],
      ['success', 'cot/preproduction', 'accepted', `${CONSOLE}#/release/${releaseId}`],
    ]);
  }, 60_000);

  it('a release rejected in an approval environment shows failure there', async () => {
    const input = await h.push('Feature the QA rejects');
    expect((await h.runContinuous(input)).status).toBe('SUCCEEDED');
    host.reset();

    const { releaseId, result } = await h.prepare('preproduction', input.commit);
    await h.decide((await h.pendingApproval(releaseId, 'accept')).id, 'reject', 'qa@example.com', 'not this one');

    expect((await result).status).not.toBe('SUCCEEDED');
    expect(statusesOf(host, input.commit).map(({ state, description }) => [state, description])).toEqual([
      ['pending', 'deploying'],
      ['pending', 'tested, waiting for acceptance'],
      ['failure', 'rejected'],
    ]);
  }, 60_000);

  it('a git host answering 500 leaves the release unaffected; the failed call is logged', async () => {
    host.answer = 500;
    logger.warnings.splice(0);
    const input = await h.push('A change while the git host is down');
    const result = await h.runContinuous(input);

    expect(result.status).toBe('SUCCEEDED');
    expect(await h.release.stores.releases.boardCell('sample-service', 'integration')).toMatchObject({ acceptedCommit: input.commit, state: 'accepted' });
    expect(statusesOf(host, input.commit).map(({ state }) => state)).toEqual(['pending', 'success']);
    const logged = logger.warnings.filter(([message]) => message === 'the commit status could not be set');
    expect(logged.map(([, extra]) => (extra as { state: string }).state)).toEqual(['pending', 'success']);
  });
});

describe('commit statuses of a promotion of several repositories: each member\'s commit', () => {
  let host: GitHostServer;
  let h: Awaited<ReturnType<typeof productHarness>>;
  const first: Record<string, string> = {};
  beforeAll(async () => {
    host = await gitHostServer();
    const config = threeRepositoryConfig();
    h = await productHarness({ ...config, repositories: config.repositories.map((repository) => ({ ...repository, commitStatus: { tokenSecret: 'shop-github-token', apiUrl: host.base } })) });
    for (const repository of ['api', 'web', 'worker']) first[repository] = await h.acceptedInIntegration(repository, `${repository}: first feature`);
  }, 120_000);
  afterAll(() => host.close());

  it('shows cot/preproduction pending on every member while the set deploys, then success when it is accepted', async () => {
    host.reset();
    const promoted = await h.products.promote({ environment: 'preproduction', requestedBy: 'alice' });
    const approval = await h.pendingApproval(promoted.releaseId, 'accept');
    await h.release.approvals.decide({ approvalId: approval.id, decision: 'approve', by: 'qa@example.com', via: 'api' });

    expect((await h.execution(promoted.releaseId).result).status).toBe('SUCCEEDED');
    for (const repository of ['api', 'web', 'worker']) {
      expect(statusesOf(host, first[repository] ?? '', repository).map(({ state, context, description }) => [state, context, description]), repository).toEqual([
        ['pending', 'cot/preproduction', `deploying (promotion ${promoted.releaseId})`],
        ['pending', 'cot/preproduction', 'tested, waiting for acceptance'],
        ['success', 'cot/preproduction', 'accepted'],
      ]);
    }
  }, 60_000);
});
