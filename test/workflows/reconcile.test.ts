import { beforeAll, describe, expect, it } from 'vitest';
import { Reconciler } from '../../core/reconcile';
import { systemClock } from '../../core/ports';
import { releaseIdFor } from '../../core/ids';
import { localHarness } from '../support/local-harness';
import { eventually } from '../support/eventually';
import { boardWritesOf, promotionMidDeploy } from '../support/promotion-seed';

type Harness = Awaited<ReturnType<typeof localHarness>>;

/**
 * A run that ends outside its own Catch (a step failing in a way the workflow does not expect, an
 * execution timeout, a StopExecution) must leave nothing open: the release ends failed with the reason,
 * its lease is free and its pending approvals are closed (docs/architecture.md#reconciliation).
 */
describe('reconciling workflows that ended outside their own Catch (real state machines, DynamoDB Local)', () => {
  let h: Harness;
  let commit: string;
  const promotionCell = boardWritesOf('*');
  beforeAll(async () => {
    h = await localHarness({ observe: promotionCell.observe });
    const input = await h.push('Reconcile me');
    expect((await h.runContinuous(input)).status).toBe('SUCCEEDED');
    commit = input.commit;
  }, 60_000);

  it('fails a release whose first step failed unexpectedly, instead of leaving it prepared', async () => {
    // Prepare: the CMDB answers the promotion's first step with an error nobody catches (the steps reach
    // it through the runs' client).
    const releases = h.release.runStores.releases;
    const getRelease = releases.getRelease.bind(releases);
    let broken = true;
    releases.getRelease = async (releaseId) => {
      if (broken) {
        broken = false;
        throw new Error('the CMDB fell over');
      }
      return getRelease(releaseId);
    };

    // Act
    const { releaseId, result } = await h.prepare('preproduction', commit);

    // Assess
    expect((await result).status).toBe('FAILED');
    releases.getRelease = getRelease;
    const failed = await eventually(async () => {
      const release = await getRelease(releaseId);
      return release?.state === 'failed' ? release : undefined;
    });
    expect(failed.failure).toMatchObject({ step: 'workflow', message: expect.stringContaining('the workflow failed') });
  }, 30_000);

  it('frees the lease and closes the pending approvals of a run that was stopped, and changes nothing twice', async () => {
    // Prepare: a release waiting for acceptance, holding nothing but its approval; and a lease it held.
    const { releases, leases, approvals, promotions } = h.release.stores;
    const { releaseId } = await h.prepare('preproduction', commit);
    await h.pendingApproval(releaseId, 'accept');
    await leases.acquireLease('sample-service', 'preproduction', releaseId, 3600, new Date());
    const reconciler = new Reconciler({ releases, leases, approvals, promotions, clock: systemClock });
    const ended = { name: releaseId, startDate: new Date().toISOString(), input: { releaseId }, status: 'ABORTED' as const, cause: 'StopExecution' };

    // Act
    const first = await reconciler.executionEnded(ended);
    const again = await reconciler.executionEnded(ended);

    // Assess
    expect(first).toEqual({ releaseId, closed: true });
    expect(again).toEqual({ releaseId, closed: false });
    expect(await releases.getRelease(releaseId)).toMatchObject({ state: 'failed', failure: { step: 'workflow', message: 'the workflow aborted: StopExecution' } });
    expect(await leases.leaseHolder('sample-service', 'preproduction')).toBeUndefined();
    expect((await releases.board()).pendingApprovals.filter((pending) => pending.releaseId === releaseId)).toEqual([]);
  }, 30_000);

  it('finds a continuous run\'s release from its execution name and start, and fails it', async () => {
    // Prepare: a continuous run recorded as building, as its Begin step records it.
    const { releases, leases, approvals, promotions } = h.release.stores;
    const name = 'github-timed-out-run';
    const startDate = new Date().toISOString();
    const releaseId = releaseIdFor(new Date(startDate), name);
    await releases.createRelease({ releaseId, repository: 'sample-service', environment: 'integration', commit, kind: 'deploy', requestedBy: 'push:github:x', createdAt: startDate });
    await releases.transitionRelease(releaseId, 'building', { by: 'codebuild', at: startDate });
    const reconciler = new Reconciler({ releases, leases, approvals, promotions, clock: systemClock });

    // Act
    const result = await reconciler.executionEnded({ name, startDate, input: { repository: 'sample-service', commit }, status: 'TIMED_OUT' });

    // Assess
    expect(result).toEqual({ releaseId, closed: true });
    expect(await releases.getRelease(releaseId)).toMatchObject({ state: 'failed', failure: { message: 'the workflow timed out' } });
  });

  it('fails a promotion cut off mid-deploy through the promotion store: its members failed, their leases free, no board cell for its record', async () => {
    // Prepare: a promotion holding its member's lease, both deploying, when its execution timed out.
    const { releases, leases, approvals, promotions } = h.release.stores;
    const { promotion, memberId } = await promotionMidDeploy(h.release.stores, { repository: 'sample-service', environment: 'production', commit });
    const reconciler = new Reconciler({ releases, leases, approvals, promotions, clock: systemClock });
    const ended = { name: promotion.releaseId, startDate: new Date().toISOString(), input: { releaseId: promotion.releaseId, product: true }, status: 'TIMED_OUT' as const };

    // Act
    const first = await reconciler.executionEnded(ended);
    const again = await reconciler.executionEnded(ended);

    // Assess
    expect(first).toEqual({ releaseId: promotion.releaseId, closed: true });
    expect(again).toEqual({ releaseId: promotion.releaseId, closed: false });
    expect(await releases.getRelease(promotion.releaseId)).toMatchObject({ state: 'failed', failure: { step: 'workflow', message: 'the workflow timed out' } });
    expect(await releases.getRelease(memberId)).toMatchObject({ state: 'failed', failure: { step: 'workflow' } });
    expect(await leases.leaseHolder('sample-service', 'production')).toBeUndefined();
    expect(promotionCell.writes).toEqual([]);
    expect(await releases.boardCell('*', 'production')).toBeUndefined();
    expect((await releases.board()).entries.map((entry) => entry.repository)).not.toContain('*');
  }, 30_000);
});
