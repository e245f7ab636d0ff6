import { beforeAll, describe, expect, it } from 'vitest';
import { TransientError } from '../../core/errors';
import type { Clock } from '../../core/ports';
import { webhookHandler } from '../../lambdas/webhook';
import { createTestCmdb, type TestCmdb } from '../support/dynamo';
import { bitbucketRequest, fixture, githubExamples, githubRequest, gitlabRequest, secretOf, type Request } from '../core/webhooks/webhook-requests';
import { apiEvent, bodyOf, configTracking, RecordingEngine, recordingLogger, secretStore } from './webhook-harness';

const clock: Clock = { now: () => new Date() };
const [githubTag, , , , githubPush] = githubExamples('push');
const githubBody = JSON.stringify(githubPush);

describe('webhook handler (CMDB on DynamoDB Local)', () => {
  let db: TestCmdb;
  beforeAll(async () => {
    db = await createTestCmdb('acme');
  });

  function subject(branch: string, overrides: Partial<Parameters<typeof webhookHandler>[0]> = {}) {
    // Each run begins at once: the head moves when a run begins.
    const workflows = new RecordingEngine(db.pushes);
    const logger = recordingLogger();
    const handle = webhookHandler({ config: configTracking(branch), deliveries: db.deliveries, pushes: db.pushes, workflows, secrets: secretStore, clock, logger, ...overrides });
    return { handle, workflows, logger };
  }

  const pushes: Array<{ provider: string; branch: string; request: () => Request | Promise<Request>; expected: Record<string, string> }> = [
    {
      provider: 'github',
      branch: 'master',
      request: () => githubRequest('push', githubBody),
      expected: { repository: 'hello-world', branch: 'master', commit: '6113728f27ae82c7b1a177c8d03f9e96e0adf246', message: 'Initial commit', author: 'Codertocat <21031067+Codertocat@users.noreply.github.com>' },
    },
    {
      provider: 'gitlab',
      branch: 'master',
      request: () => gitlabRequest('Push Hook', JSON.stringify(fixture('gitlab-push.json'))),
      expected: { repository: 'diaspora', branch: 'master', commit: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7' },
    },
    {
      provider: 'bitbucket',
      branch: 'main',
      request: () => bitbucketRequest('repo:push', JSON.stringify(fixture('bitbucket-push.json'))),
      expected: { repository: 'payments', branch: 'main', commit: 'c2e6dd5b2f5e0c4b1a8f7e6d5c4b3a2918070605', message: 'Retry ACH settlements twice before failing', author: 'Ana Lopes <ana@acme.example>' },
    },
  ];

  it.each(pushes)('$provider: a signed push starts exactly one workflow, and its redelivery none', async ({ provider, branch, request, expected }) => {
    // Prepare
    const { handle, workflows } = subject(branch);
    const event = apiEvent(await request());
    const deliveryId = deliveryOf(event.headers);

    // Act
    const first = await handle(event);
    const again = await handle(event);

    // Assess
    expect(first.statusCode).toBe(202);
    expect(bodyOf(first)).toMatchObject({ status: 'started', repository: expected.repository, deliveryId });
    expect(again.statusCode).toBe(202);
    expect(bodyOf(again)).toMatchObject({ status: 'duplicate' });
    expect(workflows.starts).toHaveLength(1);
    expect(workflows.starts[0]?.input).toMatchObject({ ...expected, environment: 'integration', requestedBy: `push:${provider}:${deliveryId}` });
    await expect(db.pushes.branchHead(expected.repository!, expected.branch!)).resolves.toMatchObject({ commit: expected.commit });
  });

  it('starts one workflow when the same delivery arrives twice at once', async () => {
    // Prepare
    const { handle, workflows } = subject('master');
    const event = apiEvent(await githubRequest('push', githubBody));

    // Act
    const answers = await Promise.all([handle(event), handle(event), handle(event)]);

    // Assess
    expect(answers.map((answer) => answer.statusCode)).toEqual([202, 202, 202]);
    expect(answers.map((answer) => bodyOf(answer).status).sort()).toEqual(['duplicate', 'duplicate', 'started']);
    expect(workflows.starts).toHaveLength(1);
  });

  it('records a tag push so that the tag resolves to its commit, and starts nothing', async () => {
    // Prepare
    const { handle, workflows } = subject('master');

    // Act
    const answer = await handle(apiEvent(await githubRequest('push', JSON.stringify(githubTag))));

    // Assess
    expect(answer.statusCode).toBe(202);
    expect(bodyOf(answer)).toMatchObject({ status: 'ignored', reason: 'tag simple-tag recorded -> 6113728f27ae82c7b1a177c8d03f9e96e0adf246' });
    await expect(db.pushes.resolveRef('hello-world', 'simple-tag')).resolves.toBe('6113728f27ae82c7b1a177c8d03f9e96e0adf246');
    expect(workflows.starts).toHaveLength(0);
  });

  it('answers a ping 200, and an untracked branch or a deletion 202 ignored, starting nothing', async () => {
    // Prepare
    const { handle, workflows } = subject('main');
    const deletion = { ...githubPush, before: '6113728f27ae82c7b1a177c8d03f9e96e0adf246', after: '0'.repeat(40), deleted: true, head_commit: null };

    // Act
    const ping = await handle(apiEvent(await githubRequest('ping', JSON.stringify(githubExamples('ping')[0]), secretOf('octo-hello'))));
    const untracked = await handle(apiEvent(await githubRequest('push', githubBody)));
    const deleted = await handle(apiEvent(await githubRequest('push', JSON.stringify(deletion))));

    // Assess
    expect([ping.statusCode, untracked.statusCode, deleted.statusCode]).toEqual([200, 202, 202]);
    expect(bodyOf(ping)).toMatchObject({ status: 'pong', repository: 'octo-hello' });
    expect(bodyOf(untracked)).toMatchObject({ status: 'ignored', reason: 'branch master is not tracked: integration tracks main' });
    expect(bodyOf(deleted)).toMatchObject({ status: 'ignored', reason: 'branch master was deleted: nothing to deploy' });
    expect(workflows.starts).toHaveLength(0);
  });

  it('verifies a base64-encoded body over its decoded bytes', async () => {
    // Prepare
    const { handle, workflows } = subject('master');

    // Act
    const answer = await handle(apiEvent(await githubRequest('push', githubBody), { base64: true }));

    // Assess
    expect(bodyOf(answer)).toMatchObject({ status: 'started' });
    expect(workflows.starts).toHaveLength(1);
  });

  it('reads each repository\'s secret under the name the stack gives it', async () => {
    // Prepare
    const names: string[] = [];
    const { handle } = subject('master', {
      secretNames: { 'hello-world': 'custom/name' },
      secrets: { get: async (name) => (names.push(name), secretOf('hello-world')) },
    });

    // Act
    const answer = await handle(apiEvent(await githubRequest('push', githubBody)));

    // Assess
    expect(answer.statusCode).toBe(202);
    expect(names).toEqual(['custom/name']);
  });

  it.each([
    ['the secret store', { secrets: { get: async () => Promise.reject(new TransientError('Secrets Manager is busy')) } }],
    ['the CMDB', failingCmdb()],
    ['the workflow engine', { workflows: Object.assign(new RecordingEngine(), { startContinuous: async () => Promise.reject(new Error('AccessDeniedException: not authorized on arn:aws:states:...')) }) }],
  ])('answers 503 without details when %s fails', async (_what, overrides) => {
    // Prepare
    const { handle, logger } = subject('master', overrides as never);

    // Act
    const answer = await handle(apiEvent(await githubRequest('push', githubBody)));

    // Assess
    expect(answer.statusCode).toBe(503);
    expect(bodyOf(answer)).toEqual({ error: 'unavailable', message: 'a service this request needs is unavailable; try again later' });
    expect(answer.body).not.toMatch(/Exception|busy|arn:|\bat /);
    expect(logger.lines).toHaveLength(1);
  });

  it('logs the delivery, provider, repository and outcome, never the body or a signature', async () => {
    // Prepare
    const { handle, logger } = subject('master');
    const request = await githubRequest('push', githubBody);

    // Act
    await handle(apiEvent(request));
    await handle(apiEvent({ ...request, headers: { ...request.headers, 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` } }));

    // Assess
    const logged = JSON.stringify(logger.lines);
    expect(logger.lines[0]).toEqual(['webhook handled', expect.objectContaining({ provider: 'github', repository: 'hello-world', deliveryId: request.headers['x-github-delivery'], outcome: 'started' })]);
    expect(logger.lines[1]).toEqual(['webhook rejected', { provider: 'github', status: 401, error: 'invalid_signature' }]);
    expect(logged).not.toContain(request.headers['x-hub-signature-256']);
    expect(logged).not.toContain('Codertocat/Hello-World');
    expect(logged).not.toContain(secretOf('hello-world'));
  });
});

function deliveryOf(headers: Record<string, string | undefined>): string {
  return headers['X-Github-Delivery'] ?? headers['X-Gitlab-Event-Uuid'] ?? headers['X-Request-Uuid'] ?? '';
}

function failingCmdb() {
  const fail = async () => Promise.reject(new TransientError('the CMDB is busy (ProvisionedThroughputExceededException); try again'));
  return { deliveries: { claimDelivery: fail }, pushes: { recordPush: fail, claimAndRecordPush: fail, recordTag: fail } };
}
