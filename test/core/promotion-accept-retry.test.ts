import { describe, expect, it } from 'vitest';
import type { PromotionStore } from '../../core/promotions';
import type { ReleaseStore } from '../../core/cmdb-stores';
import { EnvironmentChain } from '../../core/environment-chain';
import { TransientError } from '../../core/errors';
import { ProductSteps } from '../../core/product-steps';
import type { ProductRun } from '../../core/workflow-contracts';
import { config, createWorld, sha, type World } from './release-operations-harness';

/*
 * The accept step of a promotion is retried when a write fails halfway (throttling): the retry finds part
 * of the set accepted and must finish it, never leave it half accepted (docs/architecture.md#promotions).
 * Against DynamoDB Local, through the workflow's own steps; the failure is injected by a wrapper around
 * the real stores that throws a retryable error once, at a chosen call.
 */

const ENV = 'preproduction';
const [S1, P1] = [sha('s1'), sha('p1')];
const version = (commit: string) => `v-${commit.slice(0, 12)}`;
const QA = { by: 'qa@example.com' };

/** The store, except that its `method` throws a retryable error, before writing, on call number `at`. */
function failingOnce<T extends object>(store: T, method: keyof T, at: number): T {
  let calls = 0;
  return new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (property === method && ++calls === at) return Promise.reject(new TransientError('ProvisionedThroughputExceededException'));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

/** A promotion of both repositories, deployed and tested, waiting for its acceptance. */
async function tested(w: World, stores: { releases?: ReleaseStore; promotions?: PromotionStore } = {}): Promise<{ steps: ProductSteps; run: ProductRun }> {
  for (const [repository, commit] of [['sample-service', S1], ['payments', P1]] as const) await w.seed.acceptedInIntegration(repository, commit, { artifactVersion: version(commit) });
  const { releaseId } = await w.products.promote({ environment: ENV, requestedBy: 'alice' });
  const steps = new ProductSteps({ ...w.stores, ...stores, config, clock: w.clock, chain: new EnvironmentChain(config) });
  const run = await steps.begin({ releaseId, environment: ENV, kind: 'release', requestedBy: 'alice', product: true });
  await steps.claim(run);
  for (const member of run.waves.flat()) await steps.memberDeployed(member);
  await steps.tested(run);
  return { steps, run };
}

async function recordedSets(w: World): Promise<Array<{ releaseId: string; acceptedAt: string }>> {
  const sets: Array<{ releaseId: string; acceptedAt: string }> = [];
  for await (const set of w.stores.promotions.setHistory(ENV)) sets.push({ releaseId: set.releaseId, acceptedAt: set.acceptedAt });
  return sets;
}

async function acceptanceCount(w: World, repository: string): Promise<number> {
  let count = 0;
  for await (const _ of w.stores.releases.acceptances(repository, ENV)) count += 1;
  return count;
}

/** Everything the accept step writes: the promotion, its members, each repository's acceptances, the sets. */
async function snapshot(w: World, run: ProductRun) {
  const members = run.waves.flat();
  return {
    promotion: await w.stores.releases.getRelease(run.releaseId),
    members: await Promise.all(members.map((member) => w.stores.releases.getRelease(member.releaseId))),
    acceptances: await Promise.all(members.map((member) => acceptanceCount(w, member.repository))),
    sets: await recordedSets(w),
    row: await w.stores.promotions.acceptedSets(),
  };
}

describe('accepting a promotion is safe to repeat (DynamoDB Local)', () => {
  it('finishes a set left half accepted by a write that failed after the first member, and a repeat changes nothing', async () => {
    // Prepare: the CMDB throttles the second member's acceptance once.
    const w = await createWorld();
    const { steps, run } = await tested(w, { releases: failingOnce(w.stores.releases, 'markAccepted', 2) });
    const [first, second] = run.waves.flat();
    await expect(steps.accept(run, QA)).rejects.toBeInstanceOf(TransientError);
    expect((await w.stores.releases.getRelease(first!.releaseId))?.state).toBe('accepted');
    expect((await w.stores.releases.getRelease(second!.releaseId))?.state).toBe('testing');

    // Act: the workflow retries the step.
    await steps.accept(run, QA);

    // Assess: every member and the promotion accepted, each once; the set recorded once.
    const after = await snapshot(w, run);
    expect(after.promotion?.state).toBe('accepted');
    for (const member of after.members) expect(member).toMatchObject({ state: 'accepted', promotionId: run.releaseId });
    for (const member of after.members) expect(member?.history.filter((change) => change.state === 'accepted')).toHaveLength(1);
    expect(after.acceptances).toEqual([1, 1]);
    expect(after.sets).toEqual([{ releaseId: run.releaseId, acceptedAt: after.promotion?.history.at(-1)?.at }]);
    expect(after.row).toMatchObject([{ environment: ENV, releaseId: run.releaseId }]);

    // Act: the step once more (a retry after a success whose answer was lost).
    await steps.accept(run, QA);

    // Assess: nothing changed.
    expect(await snapshot(w, run)).toEqual(after);
  });

  it('records the set once when recording it failed after the promotion was accepted, and never fails or rolls that promotion back', async () => {
    // Prepare: the CMDB throttles the first write of the accepted set.
    const w = await createWorld();
    const { steps, run } = await tested(w, { promotions: failingOnce(w.stores.promotions, 'recordAcceptedSet', 1) });
    await expect(steps.accept(run, QA)).rejects.toBeInstanceOf(TransientError);
    expect((await w.stores.releases.getRelease(run.releaseId))?.state).toBe('accepted');
    expect(await recordedSets(w)).toEqual([]);

    // Act: the retries were used up; the step's Catch records the failure.
    const ending = await steps.fail(run, 'workflow', { Error: 'TransientError', Cause: 'the CMDB is busy' });

    // Assess: the promotion and its members stay accepted, no rollback, the set is recorded once.
    expect(ending.rollback).toBeUndefined();
    expect((await w.stores.releases.getRelease(run.releaseId))?.state).toBe('accepted');
    for (const member of run.waves.flat()) expect((await w.stores.releases.getRelease(member.releaseId))?.state).toBe('accepted');
    expect(await recordedSets(w)).toMatchObject([{ releaseId: run.releaseId }]);
    expect(await w.stores.promotions.acceptedSets()).toMatchObject([{ releaseId: run.releaseId }]);
  });

  it('leaves the board\'s set alone, without an error, when an older set is recorded late; a repeat writes nothing', async () => {
    // Prepare: a promotion accepted and recorded.
    const w = await createWorld();
    const { steps, run } = await tested(w);
    await steps.accept(run, QA);
    const [recorded] = await w.stores.promotions.acceptedSets();
    const older = { environment: ENV, releaseId: '2029-older', kind: 'release' as const, acceptedAt: '2029-01-01T00:00:00.000Z', members: [{ repository: 'payments', commit: P1 }] };

    // Act
    await w.stores.promotions.recordAcceptedSet(older);
    await w.stores.promotions.recordAcceptedSet(older);
    await w.stores.promotions.recordAcceptedSet(recorded!);

    // Assess: the row keeps the newer set; each set is logged once, newest first.
    expect(await w.stores.promotions.acceptedSets()).toEqual([recorded]);
    expect(await recordedSets(w)).toEqual([
      { releaseId: run.releaseId, acceptedAt: recorded!.acceptedAt },
      { releaseId: older.releaseId, acceptedAt: older.acceptedAt },
    ]);
  });
});
