import type { APIGatewayProxyEvent } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { consoleHandler, workflowRunLogs } from '../../lambdas/console';
import { cognitoAuthenticator } from '../../lambdas/console-auth';
import { consolePageHandler } from '../../lambdas/console-page';
import { CLIENT_ID, testUserPool } from '../support/cognito-tokens';
import { localHarness } from '../support/local-harness';

const ASSETS = { 'console.js': 'console.log(1)', 'console.css': 'body{}' };

/**
 * The console handler on AWS terms: ID tokens signed with keys the test made, verified by aws-jwt-verify,
 * and the groups checked on every action, against the product wired as local mode wires it (DynamoDB
 * Local, the real workflows).
 */
describe('console handler: who may do what', async () => {
  const h = await localHarness();
  const pool = testUserPool();
  const api = consoleHandler({ ...h.release.handlers.console(), authenticate: cognitoAuthenticator(pool.verifier) });
  const page = consolePageHandler({
    product: 'sample-service',
    signIn: { kind: 'cognito', domainUrl: 'https://releases-test.auth.us-east-1.amazoncognito.com', clientId: CLIENT_ID },
    assets: async () => ASSETS,
  });

  function request(method: string, resource: string, options: { token?: string; body?: unknown; pathParameters?: Record<string, string> } = {}): Promise<{ statusCode: number; body: string }> {
    const path = Object.entries(options.pathParameters ?? {}).reduce((text, [name, value]) => text.replace(`{${name}}`, value), resource);
    const event = {
      resource,
      path,
      httpMethod: method,
      headers: options.token ? { Authorization: `Bearer ${options.token}` } : {},
      pathParameters: options.pathParameters ?? null,
      queryStringParameters: null,
      body: options.body === undefined ? null : JSON.stringify(options.body),
      isBase64Encoded: false,
      requestContext: { path: `/prod${path}`, identity: {} },
    } as unknown as APIGatewayProxyEvent;
    return resource.startsWith('/console/api/') ? api(event) : page(event);
  }

  const viewer = pool.idToken('vera', ['viewers']);
  const manager = pool.idToken('mara', ['release-managers']);
  const preproductionApprover = pool.idToken('paul', ['approvers-preproduction']);
  const productionApprover = pool.idToken('pia', ['approvers-production']);
  let commit = '';
  let productionApproval = '';
  let managersRelease = '';

  beforeAll(async () => {
    // A commit accepted in integration and preproduction, released to production, waiting before its deploy.
    const pushed = await h.push('Ready for production');
    commit = pushed.commit;
    await h.runContinuous(pushed);
    const preproduction = await h.prepare('preproduction', commit);
    await h.decide((await h.pendingApproval(preproduction.releaseId, 'accept')).id, 'approve');
    await preproduction.result;
    const production = await h.prepare('production', commit);
    productionApproval = (await h.pendingApproval(production.releaseId, 'approve_deploy')).id;
  }, 120_000);

  it('lets a viewer read the board, and refuses them a release with nothing started', async () => {
    const board = await request('GET', '/console/api/board', { token: viewer });
    expect(board.statusCode).toBe(200);
    expect(JSON.parse(board.body).me).toMatchObject({ identity: 'vera@example.com', local: false, rights: { view: true, release: false, rollback: false, decide: [] } });
    const before = await h.release.stores.releases.history('sample-service', 'preproduction');

    const release = await request('POST', '/console/api/releases', { token: viewer, body: { repository: 'sample-service', environment: 'preproduction', ref: commit } });
    const rollback = await request('POST', '/console/api/rollbacks', { token: viewer, body: { repository: 'sample-service', environment: 'preproduction' } });

    expect(release.statusCode).toBe(403);
    expect(JSON.parse(release.body)).toMatchObject({ error: 'forbidden', message: expect.stringContaining('release-managers') });
    expect(rollback.statusCode).toBe(403);
    expect((await h.release.stores.releases.history('sample-service', 'preproduction')).items.map((item) => item.releaseId)).toEqual(before.items.map((item) => item.releaseId));
  });

  it('refuses a viewer a promotion and the rollback of one, with nothing started, and lets them read the metrics', async () => {
    const executions = h.release.workflows.executions('promotion').length;

    const promote = await request('POST', '/console/api/promotions', { token: viewer, body: { environment: 'preproduction' } });
    const rollback = await request('POST', '/console/api/rollbacks', { token: viewer, body: { environment: 'preproduction' } });
    const approverPromotes = await request('POST', '/console/api/promotions', { token: preproductionApprover, body: { environment: 'preproduction', override: 'not mine to say' } });
    const metrics = await request('GET', '/console/api/metrics', { token: viewer });

    expect(promote.statusCode).toBe(403);
    expect(JSON.parse(promote.body)).toEqual({ error: 'forbidden', message: 'vera@example.com may not promote: that needs the group release-managers' });
    expect(rollback.statusCode).toBe(403);
    expect(approverPromotes.statusCode).toBe(403);
    expect(h.release.workflows.executions('promotion')).toHaveLength(executions);
    expect(metrics.statusCode).toBe(200);
    expect(JSON.parse(metrics.body)).toMatchObject({ environment: 'production', days: 30, deploymentFrequency: { deployments: expect.any(Number) } });
  });

  it('refuses an approver of preproduction a decision in production, and leaves it pending', async () => {
    const answer = await request('POST', '/console/api/approvals/{id}', { token: preproductionApprover, pathParameters: { id: productionApproval }, body: { decision: 'approve', confirm: 'production' } });

    expect(answer.statusCode).toBe(403);
    expect(JSON.parse(answer.body).message).toContain('approvers-production');
    expect((await h.release.stores.approvals.getApproval(productionApproval))?.status).toBe('pending');
  });

  it('refuses a token without a valid signature, an expired one, one of another pool, an access token, and none at all', async () => {
    const tokens = {
      forged: pool.idToken('mara', ['release-managers'], {}, pool.strangerKey),
      expired: pool.idToken('mara', ['release-managers'], { exp: Math.floor(Date.now() / 1000) - 600, iat: Math.floor(Date.now() / 1000) - 4200 }),
      otherPool: pool.idToken('mara', ['release-managers'], { iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_OtherPool1' }),
      accessToken: pool.idToken('mara', ['release-managers'], { token_use: 'access' }),
      unsigned: `${manager.split('.').slice(0, 2).join('.')}.`,
    };
    for (const [what, token] of Object.entries(tokens)) {
      const answer = await request('POST', '/console/api/rollbacks', { token, body: { repository: 'sample-service', environment: 'preproduction' } });
      expect({ what, status: answer.statusCode, error: JSON.parse(answer.body).error }).toEqual({ what, status: 401, error: 'unauthorized' });
    }
    expect((await request('GET', '/console/api/board')).statusCode).toBe(401);
  });

  it('refuses everything to a signed-in person in no console group', async () => {
    const answer = await request('GET', '/console/api/board', { token: pool.idToken('nobody', []) });
    expect(answer.statusCode).toBe(403);
  });

  it('lets an approver of production decide there once the environment is typed, recorded by their email', async () => {
    const wrong = await request('POST', '/console/api/approvals/{id}', { token: productionApprover, pathParameters: { id: productionApproval }, body: { decision: 'approve', confirm: 'preproduction' } });
    expect(wrong.statusCode).toBe(400);
    expect((await h.release.stores.approvals.getApproval(productionApproval))?.status).toBe('pending');

    const answer = await request('POST', '/console/api/approvals/{id}', { token: productionApprover, pathParameters: { id: productionApproval }, body: { decision: 'approve', confirm: 'production' } });

    expect(answer.statusCode).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ status: 'approved', decidedBy: 'pia@example.com' });
    expect(await h.release.stores.approvals.getApproval(productionApproval)).toMatchObject({ status: 'approved', decidedBy: 'pia@example.com' });
  });

  it('counts an approver listed in the config by verified email, but not an unverified one', async () => {
    const listed = pool.idToken('release-manager', []);
    const unverified = pool.idToken('release-manager', [], { email_verified: false });

    const rights = async (token: string) => {
      const answer = await request('GET', '/console/api/board', { token });
      return { status: answer.statusCode, decide: answer.statusCode === 200 ? JSON.parse(answer.body).me.rights.decide : undefined };
    };

    expect(await rights(listed)).toEqual({ status: 200, decide: ['production'] });
    expect(await rights(unverified)).toEqual({ status: 403, decide: undefined });
  });

  it('names a person by their verified email only: an address nobody checked is never recorded', async () => {
    const checked = pool.idToken('vera', ['viewers']);
    const unchecked = pool.idToken('vera', ['viewers'], { email: 'somebody-else@example.com', email_verified: false });

    const me = async (token: string) => JSON.parse((await request('GET', '/console/api/board', { token })).body).me.identity as string;

    expect(await me(checked)).toBe('vera@example.com');
    expect(await me(unchecked)).toBe('vera');
  });

  it('lets a release manager release, in their name', async () => {
    const answer = await request('POST', '/console/api/rollbacks', { token: manager, body: { repository: 'sample-service', environment: 'integration', to: commit } });
    // The only accepted commit in integration is the one running: nothing to roll back to, said as a 409.
    expect(answer.statusCode).toBe(409);

    const pushed = await h.push('Second change');
    await h.runContinuous(pushed);
    const released = await request('POST', '/console/api/releases', { token: manager, body: { repository: 'sample-service', environment: 'preproduction', ref: pushed.commit.slice(0, 8) } });
    expect(released.statusCode).toBe(202);
    const { releaseId } = JSON.parse(released.body) as { releaseId: string };
    expect((await h.release.stores.releases.getRelease(releaseId))?.requestedBy).toBe('mara@example.com');
    managersRelease = releaseId;
  });

  it('lets an approver of preproduction reject there, with a reason, recorded by their email', async () => {
    const approval = await h.pendingApproval(managersRelease, 'accept');
    const decide = (body: unknown) => request('POST', '/console/api/approvals/{id}', { token: preproductionApprover, pathParameters: { id: approval.id }, body });

    const silent = await decide({ decision: 'reject' });
    expect(silent.statusCode).toBe(400);
    expect(JSON.parse(silent.body).message).toContain('a rejection needs a comment');

    const rejected = await decide({ decision: 'reject', comment: 'the greeting is wrong' });
    expect(rejected.statusCode).toBe(200);
    expect(await h.release.stores.approvals.getApproval(approval.id)).toMatchObject({ status: 'rejected', decidedBy: 'paul@example.com', comment: 'the greeting is wrong' });
  }, 60_000);

  it('serves the page with the sign-in settings escaped into data attributes, and no inline script', async () => {
    const page = await request('GET', '/console');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`data-client-id="${CLIENT_ID}"`);
    expect(page.body).toContain('src="/prod/console/assets/console.js?v=');
    expect(page.body).not.toMatch(/<script>|<style>/);
    expect((await request('GET', '/console/assets/{file}', { pathParameters: { file: 'console.js' } })).body).toBe(ASSETS['console.js']);
    expect((await request('GET', '/console/assets/{file}', { pathParameters: { file: '..%2Fhandler-settings.json' } })).statusCode).toBe(404);
  });

  it('links a release to its workflow run on AWS, whose page lists each step with its log', () => {
    const arn = 'arn:aws:states:eu-west-1:111111111111:stateMachine:acme-release-promotion';
    expect(workflowRunLogs(arn, { releaseId: 'r-0abc', kind: 'release', createdAt: '2024-06-01T12:00:00.000Z' })).toEqual([
      {
        step: 'workflow',
        at: '2024-06-01T12:00:00.000Z',
        url: 'https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/arn:aws:states:eu-west-1:111111111111:execution:acme-release-promotion:r-0abc',
      },
    ]);
    // A continuous run is not a promotion: its failing step's log is recorded on the release itself.
    expect(workflowRunLogs(arn, { releaseId: 'r-0abd', kind: 'deploy', createdAt: '2024-06-01T12:00:00.000Z' })).toEqual([]);
  });
});
