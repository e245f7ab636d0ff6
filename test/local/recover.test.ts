import { describe, expect, it } from 'vitest';
import { waitDeadline } from '../../core/approvals';
import { loadConfig } from '../../core/config-file';
import { newReleaseId } from '../../core/ids';
import { EXECUTION_ERRORS } from '../../core/workflow-names';
import { recoverAfterRestart } from '../../local/recover';
import { localHarness } from '../support/local-harness';
import { boardWritesOf, promotionMidDeploy } from '../support/promotion-seed';

/** The shipped config, with preproduction's approvals timing out after `timeout`. */
function withPreproductionTimeout(timeout: string) {
  const config = loadConfig('release.config.yaml');
  return { ...config, environments: config.environments.map((env) => (env.name === 'preproduction' && env.mode === 'approval' ? { ...env, approvalTimeout: timeout } : env)) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

describe('local mode after a restart', () => {
  it('fails runs cut off mid-step, frees the deploy lease an older run held, and resumes waits at their gate', async () => {
    // Prepare: as local mode left things when stopped.
    const h = await localHarness();
    const { releases, leases } = h.release.stores;
    const at = () => new Date().toISOString();
    const commit = (await h.push('Waiting for a person')).commit;
    await h.runContinuous({ repository: 'sample-service', environment: 'integration', branch: 'main', commit, message: 'm', author: 'a', requestedBy: 'push:test' });
    const { releaseId: waiting } = await h.prepare('preproduction', commit);
    const approval = await h.pendingApproval(waiting, 'accept');
    h.release.workflows.execution('promotion', waiting)?.abort();
    const older = newReleaseId();
    await releases.createRelease({ releaseId: older, repository: 'sample-service', environment: 'integration', commit: 'a'.repeat(40), kind: 'deploy', requestedBy: 'push', createdAt: at() });
    await releases.transitionRelease(older, 'building', { by: 'codebuild', at: at() });
    await leases.acquireLease('sample-service', 'integration', older, 3600, new Date());
    await releases.transitionRelease(older, 'deploying', { by: 'codebuild', at: at() });
    const newer = newReleaseId();
    await releases.createRelease({ releaseId: newer, repository: 'sample-service', environment: 'integration', commit: 'b'.repeat(40), kind: 'deploy', requestedBy: 'push', createdAt: at() });
    await releases.transitionRelease(newer, 'building', { by: 'codebuild', at: at() });
    const said: string[] = [];

    // Act
    const resumed = await recoverAfterRestart(h.release, (line) => said.push(line));

    // Assess
    expect(resumed).toBe(1);
    expect(await releases.getRelease(older)).toMatchObject({ state: 'failed', failure: { message: 'interrupted: local mode stopped while it ran' } });
    expect(await leases.leaseHolder('sample-service', 'integration')).toBeUndefined();
    expect(said.join('\n')).toContain(older);
    await h.decide(approval.id, 'approve');
    const resumedRun = h.release.workflows.executions('promotion').find((execution) => execution.name.startsWith(`${waiting}-resumed-`));
    expect((await resumedRun?.result)?.status).toBe('SUCCEEDED');
  }, 90_000);

  it('resumes a wait with the time it had left: it expires at its stored deadline, not a whole timeout after the restart; one past it expires at once', async () => {
    // Prepare: a release waits for acceptance in preproduction (10 s to decide); local mode stops.
    const h = await localHarness({ config: withPreproductionTimeout('10s') });
    const { releases, approvals } = h.release.stores;
    const commit = (await h.push('Waiting across a restart')).commit;
    await h.runContinuous({ repository: 'sample-service', environment: 'integration', branch: 'main', commit, message: 'm', author: 'a', requestedBy: 'push:test' });
    const { releaseId } = await h.prepare('preproduction', commit);
    const pending = await h.pendingApproval(releaseId, 'accept');
    h.release.workflows.execution('promotion', releaseId)?.abort();
    const approval = await approvals.getApproval(pending.id);
    const deadline = waitDeadline(approval!);
    // Part of the timeout passes while local mode is down.
    await sleep(Date.parse(approval!.createdAt) + 4_000 - Date.now());
    const restartedAt = Date.now();

    // Act
    const resumed = await recoverAfterRestart(h.release, () => undefined);
    const run = h.release.workflows.executions('promotion').find((execution) => execution.name.startsWith(`${releaseId}-resumed-`));
    const result = await run?.result;

    // Assess: it expired, after its links stopped working and well before a whole new timeout would end.
    expect(resumed).toBe(1);
    expect(result).toMatchObject({ status: 'FAILED', error: EXECUTION_ERRORS.approvalExpired });
    const expired = await releases.getRelease(releaseId);
    expect(expired?.state).toBe('expired');
    const expiredAt = Date.parse(expired!.history.at(-1)!.at);
    expect(expiredAt).toBeGreaterThanOrEqual(Date.parse(approval!.expiresAt));
    expect(expiredAt).toBeLessThan(deadline.getTime() + (restartedAt - Date.parse(approval!.createdAt)) / 2);
    expect((await approvals.getApproval(pending.id))?.status).toBe('expired');

    // Prepare: a second release waits; local mode stops again, and its deadline passes before the wait resumes.
    const second = await h.prepare('preproduction', commit);
    const secondPending = await h.pendingApproval(second.releaseId, 'accept');
    h.release.workflows.execution('promotion', second.releaseId)?.abort();

    // Act
    await h.release.workflows.resumePromotion(
      { releaseId: second.releaseId, repository: 'sample-service', environment: 'preproduction', commit, kind: 'release', requestedBy: 'alice', resumeAt: 'accept' },
      `${second.releaseId}-resumed`,
      new Date(Date.now() - 1),
    );
    const late = await h.release.workflows.execution('promotion', `${second.releaseId}-resumed`)?.result;

    // Assess: no new wait at all, and nobody can decide it any more.
    expect(late).toMatchObject({ status: 'FAILED', error: EXECUTION_ERRORS.approvalExpired });
    expect((await releases.getRelease(second.releaseId))?.state).toBe('expired');
    expect((await approvals.getApproval(secondPending.id))?.status).toBe('expired');
    expect(h.release.workflows.tokens.pending()).toEqual([]);
  }, 120_000);

  it('fails a promotion cut off mid-deploy through the promotion store, with its members, and frees their leases', async () => {
    // Prepare: local mode stopped while a promotion deployed its member.
    const promotionCell = boardWritesOf('*');
    const h = await localHarness({ observe: promotionCell.observe });
    const { releases, leases } = h.release.stores;
    const commit = (await h.push('Promoted when local mode stopped')).commit;
    const { promotion, memberId } = await promotionMidDeploy(h.release.stores, { repository: 'sample-service', environment: 'preproduction', commit });

    // Act
    await recoverAfterRestart(h.release, () => undefined);

    // Assess: the promotion's record failed, never written as a board cell of repository '*'.
    const detail = 'interrupted: local mode stopped while it ran';
    expect(await releases.getRelease(promotion.releaseId)).toMatchObject({ state: 'failed', failure: { step: 'workflow', message: detail } });
    expect(await releases.getRelease(memberId)).toMatchObject({ state: 'failed', failure: { message: detail } });
    expect(await leases.leaseHolder('sample-service', 'preproduction')).toBeUndefined();
    expect(promotionCell.writes).toEqual([]);
    expect(await releases.boardCell('*', 'preproduction')).toBeUndefined();
    expect((await releases.board()).entries.map((entry) => entry.repository)).not.toContain('*');
  }, 60_000);
});

