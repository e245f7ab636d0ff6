import { beforeAll, describe, expect, it } from 'vitest';
import { Approvals, type ApprovalNotifier } from '../../core/approvals';
import type { Approval } from '../../core/cmdb';
import { loadConfig } from '../../core/config-file';
import { EnvironmentChain } from '../../core/environment-chain';
import { TransientError } from '../../core/errors';
import { newReleaseId } from '../../core/ids';
import { systemClock, type WorkflowEngine } from '../../core/ports';
import { createTestCmdb, type TestCmdb } from '../support/dynamo';

/** Requests never reach the workflow engine: any call here is a defect. */
const noWorkflows: WorkflowEngine = {
  startContinuous: () => Promise.reject(new Error('unexpected')),
  startPromotion: () => Promise.reject(new Error('unexpected')),
  sendTaskSuccess: () => Promise.reject(new Error('unexpected')),
  sendTaskFailure: () => Promise.reject(new Error('unexpected')),
};

describe('Approvals.request (DynamoDB Local)', () => {
  let t: TestCmdb;
  beforeAll(async () => {
    t = await createTestCmdb();
  });

  it('tells the approvers on a retried request when the first could not, and only once', async () => {
    // Prepare: the first email fails (SES throttling), later ones go out.
    const told: Approval[] = [];
    let failures = 1;
    const notifier: ApprovalNotifier = {
      approvalRequested: async (approval) => {
        if (failures-- > 0) throw new TransientError('SES is throttling');
        told.push(approval);
      },
    };
    const approvals = new Approvals({ releases: t.releases, approvals: t.approvals, workflows: noWorkflows, clock: systemClock, chain: new EnvironmentChain(loadConfig('release.config.yaml')), notifier });
    const releaseId = newReleaseId();
    await t.releases.createRelease({ releaseId, repository: 'sample-service', environment: 'preproduction', commit: 'a'.repeat(40), kind: 'release', requestedBy: 'alice', createdAt: new Date().toISOString() });
    await t.releases.transitionRelease(releaseId, 'deploying', { by: 'codebuild', at: new Date().toISOString() });
    await t.releases.recordDeployment(releaseId, { by: 'codebuild', at: new Date().toISOString() });

    // Act: the Task's first attempt fails, its retry and a later resume ask again with new tokens.
    await expect(approvals.request({ taskToken: 'token-1', gate: 'accept', releaseId, timeoutSeconds: 3600 })).rejects.toThrow('SES is throttling');
    const retried = await approvals.request({ taskToken: 'token-2', gate: 'accept', releaseId, timeoutSeconds: 3600 });
    const resumed = await approvals.request({ taskToken: 'token-3', gate: 'accept', releaseId, timeoutSeconds: 3600 });

    // Assess
    expect(told.map((approval) => approval.approvalId)).toEqual([retried.approvalId]);
    expect(resumed.approvalId).toBe(retried.approvalId);
    expect(await t.approvals.getApproval(retried.approvalId)).toMatchObject({ taskToken: 'token-3', status: 'pending', notifiedAt: expect.any(String) });
    expect((await t.releases.board()).pendingApprovals.filter((pending) => pending.releaseId === releaseId)).toHaveLength(1);
  });
});
