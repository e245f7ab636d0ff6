import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PushRecord } from '../../core/cmdb';
import { EnvironmentChain } from '../../core/environment-chain';
import type { Clock } from '../../core/ports';
import { continuousExecutionName, deliveryRefKey, WebhookIntake, type VerifiedOutcome } from '../../core/webhook-intake';
import { readWebhook } from '../../core/webhooks';
import { createTestCmdb, type TestCmdb } from '../support/dynamo';
import { configTracking, RecordingEngine } from '../lambdas/webhook-harness';
import { bitbucketRequest, fixture, githubExamples, githubRequest, gitlabRequest, repositories, secretFor, secretOf, type Request } from './webhooks/webhook-requests';

const NOW = new Date('2024-05-03T14:02:00.000Z');
const clock: Clock = { now: () => NOW };
const [githubTag, githubTagDeletion, , , githubPush] = githubExamples('push');

/** A verified outcome, read from a signed request exactly as the handler reads it. */
async function verified(request: Request | Promise<Request>): Promise<VerifiedOutcome> {
  const outcome = await readWebhook({ ...(await request), repositories, secretFor });
  if (outcome.kind === 'rejected') throw new Error(`fixture rejected: ${outcome.message}`);
  return outcome;
}

const github = (payload: unknown) => githubRequest('push', JSON.stringify(payload));

describe('WebhookIntake (CMDB on DynamoDB Local)', () => {
  let db: TestCmdb;
  beforeAll(async () => {
    db = await createTestCmdb('acme');
  });

  function intake(branch = 'master') {
    // Each run begins at once: the head moves when a run begins.
    const workflows = new RecordingEngine(db.pushes);
    return { workflows, intake: new WebhookIntake({ deliveries: db.deliveries, pushes: db.pushes, workflows, clock, chain: new EnvironmentChain(configTracking(branch)) }) };
  }

  it('starts the continuous workflow for a push of the tracked branch and records the branch head', async () => {
    // Prepare
    const { intake: subject, workflows } = intake('master');
    const outcome = await verified(github(githubPush));
    const deliveryId = (outcome as { deliveryId: string }).deliveryId;

    // Act
    const result = await subject.receive(outcome);

    // Assess
    expect(result).toMatchObject({ kind: 'handled', status: 'started', repository: 'hello-world', deliveryId });
    expect(workflows.starts).toEqual([
      {
        name: continuousExecutionName('github', deliveryId, 'master'),
        input: {
          repository: 'hello-world',
          environment: 'integration',
          branch: 'master',
          commit: '6113728f27ae82c7b1a177c8d03f9e96e0adf246',
          message: 'Initial commit',
          author: 'Codertocat <21031067+Codertocat@users.noreply.github.com>',
          requestedBy: `push:github:${deliveryId}`,
        },
      },
    ]);
    await expect(db.pushes.branchHead('hello-world', 'master')).resolves.toEqual({
      commit: '6113728f27ae82c7b1a177c8d03f9e96e0adf246',
      message: 'Initial commit',
      author: 'Codertocat <21031067+Codertocat@users.noreply.github.com>',
      pushedAt: NOW.toISOString(),
    });
  });

  it('answers a redelivery duplicate and starts nothing more', async () => {
    // Prepare
    const { intake: subject, workflows } = intake('master');
    const outcome = await verified(github(githubPush));
    await subject.receive(outcome);

    // Act
    const again = await subject.receive(outcome);

    // Assess
    expect(again).toMatchObject({ kind: 'handled', status: 'duplicate', reason: 'this delivery was already received' });
    expect(workflows.starts).toHaveLength(1);
  });

  it('starts one workflow when two identical deliveries race', async () => {
    // Prepare
    const { intake: subject, workflows } = intake('master');
    const outcome = await verified(github(githubPush));

    // Act
    const results = await Promise.all(Array.from({ length: 5 }, () => subject.receive(outcome)));

    // Assess
    expect(results.map((result) => (result.kind === 'handled' ? result.status : 'ping')).sort()).toEqual(['duplicate', 'duplicate', 'duplicate', 'duplicate', 'started']);
    expect(workflows.starts).toHaveLength(1);
  });

  it('still starts one execution when racing deliveries all pass the claim: the execution name decides', async () => {
    // Prepare: a CMDB whose claim never says "seen", as if the claims of both raced past each other.
    const workflows = new RecordingEngine();
    const leaky = { claimDelivery: async () => true, releaseDelivery: db.deliveries.releaseDelivery.bind(db.deliveries) };
    const leakyPushes = {
      recordTag: db.pushes.recordTag.bind(db.pushes),
      claimAndRecordPush: async (_claim: unknown, push: PushRecord) => ({ claimed: true as const, ...(await db.pushes.recordPush(push)) }),
    };
    const subject = new WebhookIntake({ deliveries: leaky, pushes: leakyPushes, workflows, clock, chain: new EnvironmentChain(configTracking('master')) });
    const outcome = await verified(github(githubPush));

    // Act
    const results = await Promise.all([subject.receive(outcome), subject.receive(outcome)]);

    // Assess
    expect(results.map((result) => (result.kind === 'handled' ? result.status : 'ping')).sort()).toEqual(['duplicate', 'started']);
    expect(workflows.starts).toHaveLength(1);
  });

  it('releases the claim when the workflow could not start, so the retried delivery starts it', async () => {
    // Prepare: Step Functions throttles the first start.
    const workflows = new RecordingEngine();
    const start = workflows.startContinuous.bind(workflows);
    let failures = 1;
    workflows.startContinuous = async (input, name) => {
      if (failures-- > 0) throw new Error('ThrottlingException');
      return start(input, name);
    };
    const subject = new WebhookIntake({ deliveries: db.deliveries, pushes: db.pushes, workflows, clock, chain: new EnvironmentChain(configTracking('master')) });
    const outcome = await verified(github(githubPush));

    // Act
    await expect(subject.receive(outcome)).rejects.toThrow('ThrottlingException');
    const retried = await subject.receive(outcome);

    // Assess
    expect(retried).toMatchObject({ kind: 'handled', status: 'started' });
    expect(workflows.starts).toHaveLength(1);
  });

  it('ignores a push of another branch, saying which branch is tracked', async () => {
    // Prepare
    const { intake: subject, workflows } = intake('main');

    // Act
    const result = await subject.receive(await verified(github(githubPush)));

    // Assess
    expect(result).toMatchObject({ kind: 'handled', status: 'ignored', reason: 'branch master is not tracked: integration tracks main' });
    expect(workflows.starts).toHaveLength(0);
  });

  it('records a pushed tag so that a release can name it', async () => {
    // Prepare
    const { intake: subject, workflows } = intake('master');

    // Act
    const result = await subject.receive(await verified(github(githubTag)));

    // Assess
    expect(result).toMatchObject({ status: 'ignored', reason: 'tag simple-tag recorded -> 6113728f27ae82c7b1a177c8d03f9e96e0adf246' });
    await expect(db.pushes.resolveRef('hello-world', 'simple-tag')).resolves.toBe('6113728f27ae82c7b1a177c8d03f9e96e0adf246');
    expect(workflows.starts).toHaveLength(0);
  });

  it('ignores a deleted ref without claiming anything', async () => {
    // Prepare
    const { intake: subject, workflows } = intake('master');
    const deletion = { ...githubPush, before: '6113728f27ae82c7b1a177c8d03f9e96e0adf246', deleted: true, created: false, after: '0'.repeat(40), head_commit: null };

    // Act
    const [tag, branch] = await Promise.all([subject.receive(await verified(github(githubTagDeletion))), subject.receive(await verified(github(deletion)))]);

    // Assess
    expect(tag).toMatchObject({ status: 'ignored', reason: 'tag simple-tag was deleted: nothing to deploy' });
    expect(branch).toMatchObject({ status: 'ignored', reason: 'branch master was deleted: nothing to deploy' });
    expect(workflows.starts).toHaveLength(0);
  });

  it('handles each change of a Bitbucket delivery: the branch starts, the tag is recorded, the deletion ignored', async () => {
    // Prepare
    const { intake: subject, workflows } = intake('main');
    const outcome = await verified(bitbucketRequest('repo:push', JSON.stringify(fixture('bitbucket-push.json'))));

    // Act
    const result = await subject.receive(outcome);
    const again = await subject.receive(outcome);

    // Assess
    expect(result).toMatchObject({
      status: 'started',
      refs: [
        { refKind: 'branch', ref: 'main', status: 'started', environment: 'integration' },
        { refKind: 'tag', ref: 'v2.4.0', status: 'ignored' },
        { refKind: 'branch', ref: 'feature/old-retry', status: 'ignored' },
      ],
    });
    expect(again).toMatchObject({ status: 'duplicate', refs: [{ status: 'duplicate' }, { status: 'duplicate' }, { status: 'ignored' }] });
    expect(workflows.starts.map((start) => start.input)).toEqual([
      expect.objectContaining({ repository: 'payments', branch: 'main', commit: 'c2e6dd5b2f5e0c4b1a8f7e6d5c4b3a2918070605', author: 'Ana Lopes <ana@acme.example>', message: 'Retry ACH settlements twice before failing' }),
    ]);
    await expect(db.pushes.resolveRef('payments', 'v2.4.0')).resolves.toBe('c2e6dd5b2f5e0c4b1a8f7e6d5c4b3a2918070605');
  });

  it('starts a GitLab push and records a GitLab tag push', async () => {
    // Prepare
    const { intake: subject, workflows } = intake('master');

    // Act
    const push = await subject.receive(await verified(gitlabRequest('Push Hook', JSON.stringify(fixture('gitlab-push.json')))));
    const tag = await subject.receive(await verified(gitlabRequest('Tag Push Hook', JSON.stringify(fixture('gitlab-tag-push.json')))));

    // Assess
    expect(push).toMatchObject({ status: 'started', repository: 'diaspora' });
    expect(tag).toMatchObject({ status: 'ignored', reason: 'tag v1.0.0 recorded -> 82b3d5ae55f7080f1e6022629cdb57bfae7cccc7' });
    expect(workflows.starts.map((start) => start.input.commit)).toEqual(['da1560886d4f094c3e6c9ef40349f7d38b5d27d7']);
    await expect(db.pushes.resolveRef('diaspora', 'v1.0.0')).resolves.toBe('82b3d5ae55f7080f1e6022629cdb57bfae7cccc7');
  });

  it('answers a ping and an ignored event without touching anything', async () => {
    // Prepare
    const { intake: subject, workflows } = intake('master');
    const ping = await verified(githubRequest('ping', JSON.stringify(githubExamples('ping')[0]), secretOf('octo-hello')));

    // Act
    const pong = await subject.receive(ping);
    const ignored = await subject.receive({ kind: 'ignored', reason: 'event "issues" is not handled', deliveryId: 'd-1', repository: 'hello-world' });

    // Assess
    expect(pong).toMatchObject({ kind: 'ping', repository: 'octo-hello' });
    expect(ignored).toEqual({ kind: 'handled', status: 'ignored', reason: 'event "issues" is not handled', deliveryId: 'd-1', repository: 'hello-world', refs: [] });
    expect(workflows.starts).toHaveLength(0);
  });
});

describe('continuousExecutionName', () => {
  it('is a valid Step Functions name, the same for the same facts and different for different ones', () => {
    fc.assert(
      fc.property(fc.constantFrom('github', 'gitlab', 'bitbucket'), fc.string({ maxLength: 140 }), fc.string({ maxLength: 300 }), fc.string({ maxLength: 300 }), (provider, id, a, b) => {
        const name = continuousExecutionName(provider, id, a);
        expect(name).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
        expect(continuousExecutionName(provider, id, a)).toBe(name);
        if (a !== b) expect(continuousExecutionName(provider, id, b)).not.toBe(name);
      }),
    );
  });

  it('keeps the facts readable and separates ids and branches that only a dash tells apart', () => {
    expect(continuousExecutionName('github', 'a-b', 'c')).not.toBe(continuousExecutionName('github', 'a', 'b-c'));
    expect(continuousExecutionName('bitbucket', '{1f2e}', 'feature/x')).toMatch(/^bitbucket-1f2e-feature-x-[0-9a-f]{16}$/);
  });
});

describe('deliveryRefKey', () => {
  it('keeps a branch and a tag of the same name apart', () => {
    expect(deliveryRefKey({ deliveryId: 'd', refKind: 'branch', ref: 'v1' })).toBe('d#refs/heads/v1');
    expect(deliveryRefKey({ deliveryId: 'd', refKind: 'tag', ref: 'v1' })).toBe('d#refs/tags/v1');
  });
});
