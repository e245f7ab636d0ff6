import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EnvironmentChain } from '../../core/environment-chain';
import type { Clock } from '../../core/ports';
import { WebhookIntake } from '../../core/webhook-intake';
import { readWebhook } from '../../core/webhooks';
import { createTestCmdb } from '../support/dynamo';
import { configTracking, RecordingEngine } from '../lambdas/webhook-harness';
import { bitbucketRequest, fixture, githubExamples, githubRequest, gitlabRequest, repositories, secretFor, type Request } from './webhooks/webhook-requests';

/**
 * Pushes of one branch delivered in every order, as git hosts really deliver them (retries for days,
 * "Redeliver" buttons): the branch head the CMDB records must only ever move forward in the branch's
 * history, and end on the newest push, whatever the order of arrival (docs/architecture.md#commit-order).
 */

const ZERO = '0'.repeat(40);
const sha = (index: number) => `${(index + 1).toString(16)}`.repeat(40).slice(0, 40);
/** The branch's real history: commit i was pushed on top of commit i-1, a minute later. */
const pushedAt = (index: number) => new Date(Date.UTC(2026, 10, 1, 10, index)).toISOString();

type Provider = 'github' | 'gitlab' | 'bitbucket';
const REPOSITORY: Record<Provider, string> = { github: 'hello-world', gitlab: 'diaspora', bitbucket: 'payments' };
const BRANCH = 'master';

/** The push of commit `index` (on top of `index - 1`), in the host's own payload shape. */
async function pushRequest(provider: Provider, index: number, options: { times: boolean }): Promise<Request> {
  const before = index === 0 ? ZERO : sha(index - 1);
  const commit = sha(index);
  switch (provider) {
    case 'github': {
      const example = githubExamples('push')[4] as Record<string, unknown> & { repository: Record<string, unknown>; head_commit: Record<string, unknown> };
      const body = {
        ...example,
        ref: `refs/heads/${BRANCH}`,
        before,
        after: commit,
        created: index === 0,
        forced: false,
        commits: [{ ...example.head_commit, id: commit }],
        head_commit: { ...example.head_commit, id: commit, message: `change ${index}`, timestamp: options.times ? pushedAt(index) : null },
        repository: { ...example.repository, pushed_at: options.times ? Date.parse(pushedAt(index)) / 1000 : null },
      };
      return githubRequest('push', JSON.stringify(body));
    }
    case 'gitlab': {
      const example = fixture('gitlab-push.json') as Record<string, unknown> & { commits: Array<Record<string, unknown>> };
      const body = {
        ...example,
        ref: `refs/heads/${BRANCH}`,
        before,
        after: commit,
        checkout_sha: commit,
        commits: [{ ...example.commits[0], id: commit, message: `change ${index}`, ...(options.times ? { timestamp: pushedAt(index) } : { timestamp: null }) }],
        total_commits_count: 1,
      };
      return gitlabRequest('Push Hook', JSON.stringify(body));
    }
    case 'bitbucket': {
      const example = fixture('bitbucket-push.json') as { push: { changes: Array<Record<string, unknown> & { new: Record<string, unknown> & { target: Record<string, unknown> } }> } } & Record<string, unknown>;
      const [change] = example.push.changes;
      const target = (hash: string, at: string) => ({ ...change!.new.target, hash, message: `change ${index}`, date: options.times ? at : null });
      const body = {
        ...example,
        push: {
          changes: [
            {
              ...change,
              forced: false,
              created: index === 0,
              new: { ...change!.new, name: BRANCH, target: target(commit, pushedAt(index)) },
              old: index === 0 ? null : { ...change!.new, name: BRANCH, target: target(before, pushedAt(index - 1)) },
              commits: [{ hash: commit }],
            },
          ],
        },
      };
      return bitbucketRequest('repo:push', JSON.stringify(body));
    }
  }
}

/**
 * Delivers the pushes in `order` through the real webhook reader and intake into a fresh CMDB on DynamoDB
 * Local, and returns the branch head after each delivery, as positions in the branch's history.
 */
async function deliver(provider: Provider, order: readonly number[], options: { times: boolean }): Promise<number[]> {
  const db = await createTestCmdb(`order-${randomUUID().slice(0, 8)}`);
  const clock: Clock = { now: () => new Date() };
  const intake = new WebhookIntake({ deliveries: db.deliveries, pushes: db.pushes, workflows: new RecordingEngine(db.pushes), clock, chain: new EnvironmentChain(configTracking(BRANCH)) });
  const heads: number[] = [];
  for (const index of order) {
    const outcome = await readWebhook({ ...(await pushRequest(provider, index, options)), repositories, secretFor });
    if (outcome.kind === 'rejected') throw new Error(`push ${index} rejected: ${outcome.message}`);
    await intake.receive(outcome);
    const head = await db.pushes.branchHead(REPOSITORY[provider], BRANCH);
    heads.push(head ? Array.from({ length: order.length }, (_, i) => sha(i)).indexOf(head.commit) : -1);
  }
  return heads;
}

function permutations(items: readonly number[]): number[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, index) => permutations([...items.slice(0, index), ...items.slice(index + 1)]).map((rest) => [item, ...rest]));
}

const movesOnlyForward = (heads: readonly number[]) => heads.every((head, index) => index === 0 || head >= heads[index - 1]!);

describe.each(['github', 'gitlab', 'bitbucket'] as const)('%s pushes delivered in any order', (provider) => {
  it('end on the newest of four pushes, the head never moving back, in all 24 orders', async () => {
    const wrong: string[] = [];
    for (const order of permutations([0, 1, 2, 3])) {
      const heads = await deliver(provider, order, { times: true });
      if (!movesOnlyForward(heads) || heads.at(-1) !== 3) wrong.push(`delivered ${order.join(',')}: heads ${heads.join(',')}`);
    }
    expect(wrong).toEqual([]);
  }, 120_000);

  it('newest, oldest, middle: stays on the newest (the reported bug), with or without the host\'s times', async () => {
    for (const times of [true, false]) {
      const heads = await deliver(provider, [2, 0, 1], { times });

      expect(heads).toEqual([2, 2, 2]);
    }
  }, 30_000);

  it('without the host\'s times, still never moves the head back in any of the 24 orders (it may wait for history to tell)', async () => {
    const wrong: string[] = [];
    for (const order of permutations([0, 1, 2, 3])) {
      const heads = await deliver(provider, order, { times: false });
      if (!movesOnlyForward(heads)) wrong.push(`delivered ${order.join(',')}: heads ${heads.join(',')}`);
    }
    expect(wrong).toEqual([]);
  }, 120_000);

  it('a late redelivery of an old push never moves the head back (fast-check: five pushes, random orders and redeliveries)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray([0, 1, 2, 3, 4], { minLength: 5 }),
        fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }),
        async (order, redeliveries) => {
          const heads = await deliver(provider, [...order, ...redeliveries], { times: true });
          expect(movesOnlyForward(heads)).toBe(true);
          expect(heads.at(-1)).toBe(4);
        },
      ),
      { numRuns: 15 },
    );
  }, 120_000);
});
