import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderDefinition, validateDefinition } from '../../adapters/local/workflow';
import { releaseTemplate } from '../support/release-template';
import { loadConfig } from '../../core/config-file';
import { ConflictError } from '../../core/errors';
import { eventually } from '../support/eventually';
import { localHarness } from '../support/local-harness';

type Harness = Awaited<ReturnType<typeof localHarness>>;

function deployedCommit(h: Harness, environment: string): string | undefined {
  const file = join(h.dataDir, 'environments', environment, 'sample-service', 'version.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { commit: string }).commit : undefined;
}

/** Pushes a commit and runs it through integration; it must be accepted there. */
async function acceptedInIntegration(h: Harness, message: string, files: Record<string, string | null> = {}): Promise<string> {
  const input = await h.push(message, files);
  const result = await h.runContinuous(input);
  expect(result.status).toBe('SUCCEEDED');
  return input.commit;
}

/** Releases a commit into preproduction and accepts it there. */
async function acceptedInPreproduction(h: Harness, commit: string): Promise<string> {
  const { releaseId, result } = await h.prepare('preproduction', commit);
  await h.decide((await h.pendingApproval(releaseId, 'accept')).id, 'approve');
  expect((await result).status).toBe('SUCCEEDED');
  return releaseId;
}

describe('promotion workflow, its real ASL run locally against DynamoDB Local', () => {
  let h: Harness;
  let a: string;
  beforeAll(async () => {
    h = await localHarness();
    a = await acceptedInIntegration(h, 'Feature A');
  }, 60_000);

  it('releases to preproduction and accepts it there', async () => {
    // Act
    const { releaseId, result } = await h.prepare('preproduction', a);
    const approval = await h.pendingApproval(releaseId, 'accept');
    const waiting = await h.release.stores.releases.getRelease(releaseId);
    await h.decide(approval.id, 'approve', 'qa@example.com', 'looks good');

    // Assess
    expect((await result).status).toBe('SUCCEEDED');
    expect(waiting?.state).toBe('awaiting_acceptance');
    const release = await h.release.stores.releases.getRelease(releaseId);
    expect(release?.history.map((change) => change.state)).toEqual(['prepared', 'deploying', 'testing', 'awaiting_acceptance', 'accepted']);
    expect(release?.approvals).toEqual([expect.objectContaining({ gate: 'accept', decision: 'approve', by: 'qa@example.com', comment: 'looks good' })]);
    expect(await h.release.stores.releases.boardCell('sample-service', 'preproduction')).toMatchObject({ commit: a, acceptedCommit: a, state: 'accepted' });
    expect(await h.release.stores.releases.isAccepted('sample-service', 'preproduction', a)).toBe(true);
    expect(deployedCommit(h, 'preproduction')).toBe(a);
    // Waiting for a person never holds the deploy lease.
    expect(h.release.notifications.at(-1)?.subject).toBe(`sample-service ${a.slice(0, 7)} accepted in preproduction by qa@example.com`);
  }, 60_000);

  it('takes production through both gates: approve before deploy, accept after tests', async () => {
    const { releaseId, result } = await h.prepare('production', a);

    const first = await h.pendingApproval(releaseId, 'approve_deploy');
    const beforeDeploy = deployedCommit(h, 'production');
    await h.decide(first.id, 'approve', 'release-manager@example.com');
    const second = await h.pendingApproval(releaseId, 'accept');
    await expect(h.release.stores.leases.acquireLease('sample-service', 'production', 'probe', 60, new Date())).resolves.toBeUndefined();
    await h.release.stores.leases.releaseLease('sample-service', 'production', 'probe');
    await h.decide(second.id, 'approve', 'release-manager@example.com');

    expect((await result).status).toBe('SUCCEEDED');
    expect(beforeDeploy).toBeUndefined();
    const release = await h.release.stores.releases.getRelease(releaseId);
    expect(release?.history.map((change) => change.state)).toEqual(['prepared', 'awaiting_approval', 'deploying', 'testing', 'awaiting_acceptance', 'accepted']);
    expect(release?.approvals.map((approval) => approval.gate)).toEqual(['approve_deploy', 'accept']);
    expect(await h.release.stores.releases.boardCell('sample-service', 'production')).toMatchObject({ commit: a, acceptedCommit: a, state: 'accepted' });
  }, 60_000);

  it('refuses a commit not accepted in the environment below, and deploys nothing', async () => {
    const b = await acceptedInIntegration(h, 'Feature B, not yet in preproduction');

    const { releaseId, result } = await h.prepare('production', b);

    expect(await result).toMatchObject({ status: 'FAILED', error: 'NotEligible' });
    expect(await h.release.stores.releases.getRelease(releaseId)).toMatchObject({ state: 'failed', failure: { step: 'workflow', message: `${b.slice(0, 7)} is not accepted in preproduction` } });
    expect(deployedCommit(h, 'production')).toBe(a);
  }, 60_000);

  it('ends a rejected release as rejected; without autoRollback the environment keeps it but not as accepted', async () => {
    const c = await acceptedInIntegration(h, 'Feature C');
    const { releaseId, result } = await h.prepare('preproduction', c);

    await h.decide((await h.pendingApproval(releaseId, 'accept')).id, 'reject', 'qa@example.com', 'the button is blue');

    expect(await result).toMatchObject({ status: 'FAILED', error: 'ReleaseRejected' });
    expect(await h.release.stores.releases.getRelease(releaseId)).toMatchObject({ state: 'rejected' });
    expect((await h.release.stores.releases.getRelease(releaseId))?.history.at(-1)).toMatchObject({ state: 'rejected', by: 'qa@example.com', detail: 'the button is blue' });
    expect(await h.release.stores.releases.boardCell('sample-service', 'preproduction')).toMatchObject({ commit: c, acceptedCommit: a, state: 'rejected' });
    await acceptedInPreproduction(h, a);
  }, 60_000);

  it('with autoRollback, a rejected acceptance redeploys the previous accepted commit, recorded as a rollback', async () => {
    const d = await acceptedInIntegration(h, 'Feature D');
    await acceptedInPreproduction(h, d);
    const { releaseId, result } = await h.prepare('production', d);
    await h.decide((await h.pendingApproval(releaseId, 'approve_deploy')).id, 'approve', 'release-manager@example.com');
    await h.decide((await h.pendingApproval(releaseId, 'accept')).id, 'reject', 'release-manager@example.com', 'error rate up');

    expect(await result).toMatchObject({ status: 'FAILED', error: 'ReleaseRejected' });
    const [rollback, rejected] = (await h.release.stores.releases.history('sample-service', 'production', { limit: 2 })).items;
    expect(rejected).toMatchObject({ releaseId, commit: d, state: 'rejected' });
    expect(rollback).toMatchObject({ commit: a, kind: 'rollback', state: 'accepted', rollbackOf: releaseId });
    expect(await h.release.stores.releases.boardCell('sample-service', 'production')).toMatchObject({ commit: a, acceptedCommit: a });
    expect(deployedCommit(h, 'production')).toBe(a);
  }, 90_000);

  it('with autoRollback, a failed test redeploys the previous accepted commit', async () => {
    const e = await acceptedInIntegration(h, 'Feature E, red in production only', { FAIL_TEST: 'production\n' });
    await acceptedInPreproduction(h, e);
    const { releaseId, result } = await h.prepare('production', e);
    await h.decide((await h.pendingApproval(releaseId, 'approve_deploy')).id, 'approve', 'release-manager@example.com');

    expect(await result).toMatchObject({ status: 'FAILED', error: 'ReleaseFailed' });
    const [rollback, failed] = (await h.release.stores.releases.history('sample-service', 'production', { limit: 2 })).items;
    expect(failed).toMatchObject({ releaseId, commit: e, state: 'failed', failure: { step: 'test' } });
    expect(rollback).toMatchObject({ commit: a, kind: 'rollback', state: 'accepted' });
    expect(deployedCommit(h, 'production')).toBe(a);
    expect(await h.release.stores.releases.isAccepted('sample-service', 'production', e)).toBe(false);
  }, 90_000);

  it('records a failed deploy and keeps the environment as it was (no autoRollback in preproduction)', async () => {
    const f = await acceptedInIntegration(h, 'Feature F, deploy breaks in preproduction', { FAIL_TEST: null, FAIL_DEPLOY: 'preproduction\n' });
    const before = await h.release.stores.releases.boardCell('sample-service', 'preproduction');

    const { releaseId, result } = await h.prepare('preproduction', f);

    expect(await result).toMatchObject({ status: 'FAILED', error: 'ReleaseFailed' });
    const release = await h.release.stores.releases.getRelease(releaseId);
    expect(release).toMatchObject({ state: 'failed', failure: { step: 'deploy' } });
    expect(release?.failure?.message).toContain('FAIL_DEPLOY is in this commit');
    expect(await h.release.stores.releases.boardCell('sample-service', 'preproduction')).toMatchObject({ commit: before?.commit, acceptedCommit: before?.acceptedCommit });
    await expect(h.release.stores.leases.acquireLease('sample-service', 'preproduction', 'probe', 60, new Date())).resolves.toBeUndefined();
    await h.release.stores.leases.releaseLease('sample-service', 'preproduction', 'probe');
  }, 60_000);

  it('a newer release supersedes an older one still waiting: its approval closes and its run ends', async () => {
    const g = await acceptedInIntegration(h, 'Feature G', { FAIL_DEPLOY: null });
    const older = await h.prepare('preproduction', a);
    const olderApproval = await h.pendingApproval(older.releaseId, 'accept');

    const newer = await h.prepare('preproduction', g);

    expect(await older.result).toMatchObject({ status: 'SUCCEEDED' });
    expect(await h.release.stores.releases.getRelease(older.releaseId)).toMatchObject({ state: 'superseded' });
    expect(await h.release.stores.approvals.getApproval(olderApproval.id)).toMatchObject({ status: 'superseded' });
    await expect(h.decide(olderApproval.id, 'approve')).rejects.toThrow(/closed: superseded/);
    await h.decide((await h.pendingApproval(newer.releaseId, 'accept')).id, 'approve');
    expect((await newer.result).status).toBe('SUCCEEDED');
    expect(await h.release.stores.releases.boardCell('sample-service', 'preproduction')).toMatchObject({ commit: g, acceptedCommit: g });
  }, 90_000);

  it('rolls integration back on request, holds it, and new pushes are built but not deployed until resumed', async () => {
    const current = await h.release.stores.releases.boardCell('sample-service', 'integration');
    const previous = (await h.release.stores.releases.acceptedCommits('sample-service', 'integration')).find((entry) => entry.commit !== current?.commit);

    const { releaseId, result } = await h.prepare('integration', previous!.commit, 'rollback', 'operator');
    expect((await result).status).toBe('SUCCEEDED');
    const held = await h.release.stores.releases.boardCell('sample-service', 'integration');
    const push = await h.push('Pushed while held');
    await h.runContinuous(push);

    expect(held).toMatchObject({ commit: previous!.commit, held: true, releaseId, state: 'accepted' });
    expect(await h.release.stores.releases.getRelease(current!.deployedReleaseId!)).toMatchObject({ state: 'rolled_back' });
    expect(await h.release.stores.releases.boardCell('sample-service', 'integration')).toMatchObject({ commit: previous!.commit, state: 'built' });
    expect(deployedCommit(h, 'integration')).toBe(previous!.commit);
    await h.release.stores.releases.setHeld('sample-service', 'integration', false, new Date().toISOString());
  }, 60_000);

  it('resumes a wait at its gate after a restart: the same approval, its links still valid, a new token', async () => {
    const { releaseId } = await h.prepare('preproduction', a);
    const before = await h.pendingApproval(releaseId, 'accept');
    const stored = await h.release.stores.approvals.getApproval(before.id);
    h.release.workflows.execution('promotion', releaseId)?.abort();

    const { executionId } = await h.release.workflows.startPromotion(
      { releaseId, repository: 'sample-service', environment: 'preproduction', commit: a, kind: 'release', requestedBy: 'alice', resumeAt: 'accept' },
      `${releaseId}-resumed`,
    );
    await eventually(async () => (await h.release.stores.approvals.getApproval(before.id))?.taskToken !== stored?.taskToken);
    await h.decide(before.id, 'approve');

    expect((await h.release.workflows.execution('promotion', executionId)?.result)?.status).toBe('SUCCEEDED');
    expect((await h.release.stores.releases.board()).pendingApprovals.filter((approval) => approval.releaseId === releaseId)).toEqual([]);
    expect(await h.release.stores.releases.getRelease(releaseId)).toMatchObject({ state: 'accepted' });
  }, 60_000);

  it('answers a decision whose workflow no longer waits with a conflict, not a crash', async () => {
    const { releaseId } = await h.prepare('preproduction', a);
    const approval = await h.pendingApproval(releaseId, 'accept');
    h.release.workflows.execution('promotion', releaseId)?.abort();

    const deciding = h.decide(approval.id, 'approve');

    await expect(deciding).rejects.toBeInstanceOf(ConflictError);
    await expect(deciding).rejects.toThrow(/no longer waits for this decision/);
  }, 60_000);

  it('is a valid Amazon States Language definition', async () => {
    const template = await releaseTemplate(loadConfig('release.config.yaml'));
    const { definition } = renderDefinition(template, { tag: { key: 'cot:workflow', value: 'promotion' } });

    expect(validateDefinition(definition)).toEqual([]);
  });
});

describe('promotion workflow: an approval nobody decides', () => {
  it('expires after the environment\'s approvalTimeout', async () => {
    const config = loadConfig('release.config.yaml');
    const quick = { ...config, environments: config.environments.map((env) => (env.name === 'preproduction' ? { ...env, approvalTimeout: '2s' } : env)) };
    const h = await localHarness({ config: quick });
    const commit = await acceptedInIntegration(h, 'Nobody looks');

    const { releaseId, result } = await h.prepare('preproduction', commit);
    const approval = await h.pendingApproval(releaseId, 'accept');

    expect(await result).toMatchObject({ status: 'FAILED', error: 'ApprovalExpired' });
    expect(await h.release.stores.releases.getRelease(releaseId)).toMatchObject({ state: 'expired' });
    expect(await h.release.stores.approvals.getApproval(approval.id)).toMatchObject({ status: 'expired' });
    await expect(h.decide(approval.id, 'approve')).rejects.toThrow(/closed: expired/);
  }, 60_000);
});
