import { beforeAll, describe, expect, it } from 'vitest';
import { CMDB_ACCESS, cmdbActions, type MethodAccess } from '../../../adapters/aws/cmdb-access';
import type { NewRelease } from '../../../core/cmdb';
import { ConflictError } from '../../../core/errors';
import { newApprovalId, newReleaseId } from '../../../core/ids';
import { recordedNeeds } from '../../support/cmdb-recorder';
import { createTestCmdb, type TestCmdb } from '../../support/dynamo';

const at = (minute: number) => new Date(Date.UTC(2026, 10, 1, 0, minute)).toISOString();
const COMMIT = 'abcdef01' + '0'.repeat(32);
const CHILD = 'abcdef02' + '0'.repeat(32);

function release(environment: string, minute: number): NewRelease {
  return { releaseId: newReleaseId(new Date(at(minute))), repository: 'svc', environment, commit: COMMIT, kind: 'release', requestedBy: 'alice', createdAt: at(minute) };
}

/** `action@table|index` for each action the map grants one method. */
function granted(access: MethodAccess): string[] {
  return [...(access.table ?? []).map((action) => `${action}@table`), ...(access.index ?? []).map((action) => `${action}@index`)].sort();
}

describe('CMDB_ACCESS: the DynamoDB actions of each store method (DynamoDB Local)', () => {
  let t: TestCmdb;
  beforeAll(async () => {
    t = await createTestCmdb();
  });

  it('covers every command of every store method, error paths included, and grants nothing they do not send', async () => {
    // Act: every method once, and the paths that send other commands (a fallback write, a conflict's read).
    const { releases, approvals, pushes, leases, deliveries } = t;
    const newer = release('env', 2);
    const older = release('env', 1);
    await releases.createRelease(newer);
    await releases.createRelease(older); // the board belongs to the newer release: the older one is put alone
    await releases.transitionRelease(newer.releaseId, 'awaiting_approval', { by: 'system', at: at(3) });
    await expect(releases.transitionRelease(newer.releaseId, 'built', { by: 'system', at: at(3) })).rejects.toBeInstanceOf(ConflictError);
    await releases.transitionRelease(newer.releaseId, 'deploying', { by: 'ci', at: at(4) });
    await releases.recordDeployment(newer.releaseId, { by: 'ci', at: at(5) });
    await releases.markAccepted(newer.releaseId, { by: 'ci', at: at(6) });
    await releases.getRelease(newer.releaseId);
    await releases.boardCell('svc', 'env');
    await releases.board();
    await releases.history('svc', 'env');
    await releases.isAccepted('svc', 'env', COMMIT);
    await releases.recordArtifact(newer.releaseId, 'v-1');
    await releases.acceptedArtifact('svc', 'env', COMMIT);
    await releases.acceptedCommits('svc', 'env');
    for await (const acceptance of releases.acceptances('svc', 'env')) expect(acceptance.commit).toBe(COMMIT);
    await releases.setHeld('svc', 'env', true, at(7));
    // One release at a time: a new one, the same again (answered by the first), one superseding it while
    // it waits, and one refused while that one deploys.
    const exclusive = (minute: number, commit = COMMIT) => ({ ...release('solo', minute), commit });
    const active = await releases.startExclusive(exclusive(10));
    expect((await releases.startExclusive(exclusive(11))).existing).toBe(true);
    const superseding = await releases.startExclusive(exclusive(12, CHILD));
    expect(superseding.superseded).toBe(active.release.releaseId);
    await releases.transitionRelease(superseding.release.releaseId, 'deploying', { by: 'ci', at: at(13) });
    await expect(releases.startExclusive(exclusive(14))).rejects.toBeInstanceOf(ConflictError);

    // An approval is only made for a release waiting at its gate (a ConditionCheck in the same transaction).
    await releases.transitionRelease(older.releaseId, 'awaiting_approval', { by: 'system', at: at(1) });
    const approval = { approvalId: newApprovalId(), releaseId: older.releaseId, repository: 'svc', environment: 'env', commit: COMMIT, gate: 'approve_deploy' as const, approvers: ['qa@example.com'], taskToken: 'token', requestedBy: 'alice', createdAt: at(1), expiresAt: at(60) };
    await approvals.createApproval(approval);
    await approvals.getApproval(approval.approvalId);
    await approvals.renewApprovalToken(approval.approvalId, 'token-2');
    await approvals.markApprovalNotified(approval.approvalId, at(2));
    expect(await approvals.markApprovalReminded(approval.approvalId, at(2))).toBe(true);
    await approvals.decideApproval(approval.approvalId, { decision: 'approve', by: 'qa@example.com', at: at(3) });
    const second = { ...approval, approvalId: newApprovalId() };
    await approvals.createApproval(second);
    await approvals.closeApproval(second.approvalId, 'expired', at(61));

    await pushes.recordPush({ repository: 'svc', branch: 'main', commit: COMMIT, message: 'm', author: 'a', pushedAt: at(1) });
    // A second push compares with the head: reads it and the commits' items, moves it conditionally.
    await pushes.recordPush({ repository: 'svc', branch: 'main', commit: CHILD, message: 'm', author: 'a', pushedAt: at(2), before: COMMIT });
    // The webhook's push: the same reads, then the claim, the commit and the new head in one transaction.
    await pushes.claimAndRecordPush({ provider: 'github', deliveryId: 'd-2', at: new Date(at(2)) }, { repository: 'svc', branch: 'dev', commit: COMMIT, message: 'm', author: 'a', pushedAt: at(2) });
    // The first run of a repository finds no index of who lists its commits: a Query of its commits, then the index's Put.
    await pushes.claimAndRecordPush({ provider: 'github', deliveryId: 'd-3', at: new Date(at(2)) }, { repository: 'svc-first', branch: 'main', commit: COMMIT, message: 'm', author: 'a', pushedAt: at(2) });
    await pushes.advanceHead('svc-first', 'main', COMMIT);
    await pushes.recordTag('svc', 'v1', COMMIT, at(2));
    await pushes.branchHead('svc', 'main');
    await pushes.getCommit('svc', COMMIT);
    for (const ref of [COMMIT, 'v1', 'abcdef01']) await pushes.resolveRef('svc', ref);

    await leases.acquireLease('svc', 'env', 'me', 60, new Date(at(1)));
    await leases.leaseHolder('svc', 'env');
    await leases.releaseLease('svc', 'env', 'me');
    await deliveries.claimDelivery('github', 'd-1', new Date(at(1)));
    await deliveries.releaseDelivery('github', 'd-1');
    for await (const deployment of t.metrics.deployments('svc', 'env', at(0))) expect(deployment.repository).toBe('svc');
    expect(await t.metrics.commitTimes('svc', [COMMIT, CHILD])).toEqual(new Map([[COMMIT, at(1)], [CHILD, at(2)]]));

    // Promotions: one started, an equal one answered by it, its leases, its moves and its accepted set.
    const { promotions } = t;
    const promotion = { releaseId: newReleaseId(new Date(at(20))), environment: 'promo', kind: 'release' as const, requestedBy: 'alice', createdAt: at(20), members: [{ repository: 'svc', commit: COMMIT, releaseId: newReleaseId(new Date(at(20))), previous: null }] };
    await promotions.startPromotion(promotion);
    expect((await promotions.startPromotion({ ...promotion, releaseId: newReleaseId(new Date(at(21))) })).existing).toBe(true);
    await promotions.claimLeases([{ repository: 'svc', environment: 'promo', holder: promotion.members[0]!.releaseId }], 60, new Date(at(22)));
    await promotions.transitionPromotion(promotion.releaseId, 'deploying', { by: 'ci', at: at(22) });
    await promotions.recordAcceptedSet({ environment: 'promo', releaseId: promotion.releaseId, kind: 'release', acceptedAt: at(23), members: [{ repository: 'svc', commit: COMMIT }] });
    await promotions.acceptedSets();
    for await (const set of promotions.setHistory('promo')) expect(set.releaseId).toBe(promotion.releaseId);

    // Assess: what each method sent is exactly what the map grants it.
    const expected = Object.entries(CMDB_ACCESS).flatMap(([store, methods]) =>
      Object.entries(methods as Record<string, MethodAccess>).map(([method, access]) => [`${store}.${method}`, granted(access)] as const),
    );
    const sent = Object.fromEntries(expected.map(([key]) => [key, [...(recordedNeeds().get(key) ?? [])].sort()]));
    expect(sent).toEqual(Object.fromEntries(expected));
  });

  it('adds up the actions of some methods, table and index apart', () => {
    expect(cmdbActions({ releases: ['getRelease', 'markAccepted', 'history'], leases: ['releaseLease'] })).toEqual({
      table: ['DeleteItem', 'GetItem', 'PutItem', 'UpdateItem'],
      index: ['Query'],
    });
    expect(cmdbActions({ deliveries: [] })).toEqual({ table: [], index: [] });
  });
});
