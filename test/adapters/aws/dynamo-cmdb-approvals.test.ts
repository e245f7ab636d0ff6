import { beforeAll, describe, expect, it } from 'vitest';
import type { NewApproval } from '../../../core/cmdb';
import { ConflictError } from '../../../core/errors';
import { newApprovalId, newReleaseId } from '../../../core/ids';
import { createTestCmdb, type TestCmdb } from '../../support/dynamo';

const at = (minute: number) => new Date(Date.UTC(2026, 10, 1, 0, minute)).toISOString();

describe('DynamoApprovals (DynamoDB Local)', () => {
  let t: TestCmdb;
  beforeAll(async () => {
    t = await createTestCmdb();
  });

  async function pendingApproval(overrides: Partial<NewApproval> = {}): Promise<NewApproval> {
    const releaseId = newReleaseId();
    await t.releases.createRelease({ releaseId, repository: 'svc', environment: 'production', commit: 'c'.repeat(40), kind: 'release', requestedBy: 'alice', createdAt: at(0) });
    const approval: NewApproval = {
      approvalId: newApprovalId(),
      releaseId,
      repository: 'svc',
      environment: 'production',
      commit: 'c'.repeat(40),
      gate: 'accept',
      approvers: ['qa@example.com', 'rm@example.com'],
      taskToken: 'token-secret',
      requestedBy: 'alice',
      createdAt: at(0),
      expiresAt: at(60),
      ...overrides,
    };
    // As the approval Task does: the release waits at the gate first, then its approval is made.
    await waitAt(releaseId, approval.gate);
    await t.approvals.createApproval(approval);
    return approval;
  }

  async function waitAt(releaseId: string, gate: NewApproval['gate']): Promise<void> {
    const moves = gate === 'approve_deploy' ? (['awaiting_approval'] as const) : (['deploying', 'testing', 'awaiting_acceptance'] as const);
    for (const state of moves) await t.releases.transitionRelease(releaseId, state, { by: 'system', at: at(0) });
  }

  it('lists a pending approval on the board until it is decided', async () => {
    const approval = await pendingApproval();

    expect((await t.releases.board()).pendingApprovals).toContainEqual(expect.objectContaining({ id: approval.approvalId, gate: 'accept', expiresAt: at(60) }));
    const decided = await t.approvals.decideApproval(approval.approvalId, { decision: 'approve', by: 'qa@example.com', at: at(5) });

    expect(decided).toMatchObject({ status: 'approved', decidedBy: 'qa@example.com', decidedAt: at(5) });
    expect((await t.releases.board()).pendingApprovals.map((pending) => pending.id)).not.toContain(approval.approvalId);
    const release = await t.releases.getRelease(approval.releaseId);
    expect(release?.approvals).toEqual([{ approvalId: approval.approvalId, gate: 'accept', decision: 'approve', by: 'qa@example.com', at: at(5) }]);
  });

  it('lets exactly one of two racing decisions win, and tells the loser who won', async () => {
    const approval = await pendingApproval();

    const results = await Promise.allSettled([
      t.approvals.decideApproval(approval.approvalId, { decision: 'approve', by: 'qa@example.com', at: at(5) }),
      t.approvals.decideApproval(approval.approvalId, { decision: 'reject', by: 'rm@example.com', at: at(5), comment: 'no' }),
    ]);

    const won = results.filter((result) => result.status === 'fulfilled');
    const lost = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]?.reason).toBeInstanceOf(ConflictError);
    const stored = await t.approvals.getApproval(approval.approvalId);
    expect(lost[0]?.reason.message).toBe(`already ${stored?.status} by ${stored?.decidedBy} at ${at(5)}`);
    expect((await t.releases.getRelease(approval.releaseId))?.approvals).toHaveLength(1);
  });

  it('refuses a decision after expiry and changes nothing', async () => {
    const approval = await pendingApproval({ expiresAt: at(10) });

    await expect(t.approvals.decideApproval(approval.approvalId, { decision: 'approve', by: 'qa@example.com', at: at(11) })).rejects.toThrow(/expired/);
    expect((await t.approvals.getApproval(approval.approvalId))?.status).toBe('pending');
  });

  it('closes an undecided approval as superseded, after which nobody can decide it', async () => {
    const approval = await pendingApproval();

    const closed = await t.approvals.closeApproval(approval.approvalId, 'superseded', at(3));
    const again = await t.approvals.closeApproval(approval.approvalId, 'expired', at(4));

    expect(closed?.status).toBe('superseded');
    expect(again?.status).toBe('superseded');
    await expect(t.approvals.decideApproval(approval.approvalId, { decision: 'approve', by: 'qa@example.com', at: at(5) })).rejects.toThrow(/closed: superseded/);
  });

  it('makes no approval for a release that no longer waits at the gate (superseded meanwhile), and leaves no marker', async () => {
    // Prepare: the release waited for its approval, and a newer request superseded it first.
    const releaseId = newReleaseId();
    await t.releases.createRelease({ releaseId, repository: 'svc', environment: 'staging', commit: 'd'.repeat(40), kind: 'release', requestedBy: 'alice', createdAt: at(0) });
    await waitAt(releaseId, 'approve_deploy');
    await t.releases.transitionRelease(releaseId, 'superseded', { by: 'bob', at: at(1) });
    const approvalId = newApprovalId();

    // Act
    const made = t.approvals.createApproval({ approvalId, releaseId, repository: 'svc', environment: 'staging', commit: 'd'.repeat(40), gate: 'approve_deploy', approvers: ['qa@example.com'], taskToken: 'token', requestedBy: 'alice', createdAt: at(1), expiresAt: at(60) });

    // Assess
    await expect(made).rejects.toBeInstanceOf(ConflictError);
    await expect(made).rejects.toThrow(`release ${releaseId} is no longer awaiting_approval`);
    expect(await t.approvals.getApproval(approvalId)).toBeUndefined();
    expect((await t.releases.board()).pendingApprovals.map((pending) => pending.id)).not.toContain(approvalId);
  });
});
