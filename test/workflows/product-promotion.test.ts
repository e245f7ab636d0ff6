import { beforeAll, describe, expect, it } from 'vitest';
import type { WorkflowEvent } from '../../adapters/local/workflow';
import { loadConfig } from '../../core/config-file';
import { productHarness } from '../support/product-harness';

type Harness = Awaited<ReturnType<typeof productHarness>>;

/** Where in the run's events a member's state was entered or left. */
function at(events: readonly WorkflowEvent[], type: WorkflowEvent['type'], stateName: string, repository: string): number {
  const index = events.findIndex((event) => event.type === type && event.stateName === stateName && JSON.stringify(event.input ?? {}).includes(`"repository":"${repository}"`));
  expect(index, `${type} ${stateName} of ${repository}`).toBeGreaterThanOrEqual(0);
  return index;
}

describe('a promotion of three repositories: the real ASL run locally against DynamoDB Local and the buildspec runner', () => {
  let h: Harness;
  const first: Record<string, string> = {};
  beforeAll(async () => {
    h = await productHarness();
    for (const repository of ['api', 'web', 'worker']) first[repository] = await h.acceptedInIntegration(repository, `${repository}: first feature`);
  }, 120_000);

  it('sends one approval listing every commit, deploys web after api, and accepts the set together', async () => {
    // Act
    const promoted = await h.products.promote({ environment: 'preproduction', requestedBy: 'alice' });
    const approval = await h.pendingApproval(promoted.releaseId, 'accept');
    await h.emailsOf(approval.id);
    const emails = h.outbox();
    await h.release.approvals.decide({ approvalId: approval.id, decision: 'approve', by: 'qa@example.com', via: 'api' });
    const execution = h.execution(promoted.releaseId);
    const result = await execution.result;

    // Assess: one email for the one decision, every member's commit with its link on the git host.
    expect(result.status).toBe('SUCCEEDED');
    expect(promoted.members).toEqual(['web', 'api', 'worker'].map((repository) => ({ repository, commit: first[repository] })));
    expect(emails).toHaveLength(1);
    expect(emails[0]).toMatchObject({ to: 'qa@example.com', subject: '[shop] Accept 3 repositories in preproduction?' });
    for (const repository of ['api', 'web', 'worker']) {
      expect(emails[0]?.text).toContain(`${repository} ${first[repository]?.slice(0, 7)}: ${repository}: first feature`);
      expect(emails[0]?.text).toContain(`https://github.com/acme/${repository}/commit/${first[repository]}`);
      expect(emails[0]?.html).toContain(`href="https://github.com/acme/${repository}/commit/${first[repository]}"`);
    }
    // web deploys only once api is deployed and tested; worker does not wait for anyone.
    const events = execution.history;
    expect(at(events, 'StateEntered', 'MemberDeploy', 'web')).toBeGreaterThan(at(events, 'StateExited', 'MemberTest', 'api'));
    expect(at(events, 'StateEntered', 'MemberDeploy', 'worker')).toBeLessThan(at(events, 'StateEntered', 'MemberDeploy', 'web'));
    // Accepted together: the promotion, each member's own release, each cell, the product's set.
    const { releases, promotions } = h.release.stores;
    const promotion = await releases.getRelease(promoted.releaseId);
    expect(promotion).toMatchObject({ state: 'accepted', repository: '*' });
    expect(promotion?.approvals).toEqual([expect.objectContaining({ gate: 'accept', decision: 'approve', by: 'qa@example.com' })]);
    for (const member of promotion?.members ?? []) {
      expect(await releases.getRelease(member.releaseId)).toMatchObject({ state: 'accepted', promotionId: promoted.releaseId });
      expect(await releases.boardCell(member.repository, 'preproduction')).toMatchObject({ commit: member.commit, acceptedCommit: member.commit, state: 'accepted' });
      expect(h.deployedCommit(member.repository, 'preproduction')).toBe(member.commit);
    }
    expect(await promotions.acceptedSets()).toEqual([expect.objectContaining({ environment: 'preproduction', releaseId: promoted.releaseId, kind: 'release' })]);
  }, 120_000);

  it('answers 409 when every repository already runs what is accepted below', async () => {
    await expect(h.products.promote({ environment: 'preproduction', requestedBy: 'alice' })).rejects.toThrow(/nothing to promote into preproduction/);
  });

  it('with autoRollback, a member whose test fails takes the whole set back to the previous accepted set', async () => {
    const api = await h.acceptedInIntegration('api', 'api: second feature');
    const web = await h.acceptedInIntegration('web', 'web: red in preproduction', { FAIL_TEST: 'preproduction\n' });

    const promoted = await h.products.promote({ environment: 'preproduction', requestedBy: 'alice' });
    const result = await h.execution(promoted.releaseId).result;

    expect(promoted.members).toEqual([{ repository: 'web', commit: web }, { repository: 'api', commit: api }]);
    expect(result).toMatchObject({ status: 'FAILED', error: 'ReleaseFailed' });
    const { releases } = h.release.stores;
    const promotion = await releases.getRelease(promoted.releaseId);
    expect(promotion).toMatchObject({ state: 'failed', failure: { step: 'test' } });
    expect(promotion?.failure?.message).toContain('web');
    // Both members go back, api too although its own test passed; worker was never part of it.
    for (const repository of ['api', 'web']) {
      const [rollback, failed] = (await releases.history(repository, 'preproduction', { limit: 2 })).items;
      expect(failed).toMatchObject({ state: 'failed', promotionId: promoted.releaseId });
      expect(rollback).toMatchObject({ kind: 'rollback', state: 'accepted', commit: first[repository] });
      expect(h.deployedCommit(repository, 'preproduction')).toBe(first[repository]);
      expect(await releases.boardCell(repository, 'preproduction')).toMatchObject({ commit: first[repository], acceptedCommit: first[repository] });
    }
    expect(await releases.isAccepted('web', 'preproduction', web)).toBe(false);
    expect(h.deployedCommit('worker', 'preproduction')).toBe(first.worker);
  }, 180_000);

  it('rolls the last promotion back on request: every member returns to the set accepted before it', async () => {
    const web = await h.acceptedInIntegration('web', 'web: green again', { FAIL_TEST: null });
    const promoted = await h.products.promote({ environment: 'preproduction', requestedBy: 'alice' });
    await h.release.approvals.decide({ approvalId: (await h.pendingApproval(promoted.releaseId, 'accept')).id, decision: 'approve', by: 'qa@example.com', via: 'api' });
    expect((await h.execution(promoted.releaseId).result).status).toBe('SUCCEEDED');
    expect(h.deployedCommit('web', 'preproduction')).toBe(web);

    const rollback = await h.products.rollbackProduct({ environment: 'preproduction', requestedBy: 'bob' });
    const result = await h.execution(rollback.releaseId).result;

    expect(result.status).toBe('SUCCEEDED');
    expect(rollback.members.map((member) => member.repository).sort()).toEqual(promoted.members.map((member) => member.repository).sort());
    const { releases } = h.release.stores;
    expect(await releases.getRelease(rollback.releaseId)).toMatchObject({ kind: 'rollback', state: 'accepted', rollbackOf: promoted.releaseId });
    expect(await releases.getRelease(promoted.releaseId)).toMatchObject({ state: 'rolled_back' });
    for (const member of promoted.members) {
      expect(h.deployedCommit(member.repository, 'preproduction')).toBe(first[member.repository]);
      expect(await releases.boardCell(member.repository, 'preproduction')).toMatchObject({ commit: first[member.repository], acceptedCommit: first[member.repository] });
    }
    for (const member of (await releases.getRelease(promoted.releaseId))?.members ?? []) expect((await releases.getRelease(member.releaseId))?.state).toBe('rolled_back');
    // Nothing older to undo: the first promotion had nothing accepted before it.
    await expect(h.products.rollbackProduct({ environment: 'preproduction', requestedBy: 'bob' })).rejects.toThrow(/nothing to roll back in preproduction/);
  }, 180_000);
});

describe('the sample product that ships (examples/product.config.yaml)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await productHarness(loadConfig('examples/product.config.yaml'), 'examples');
  }, 60_000);

  it('promotes sample-service and sample-web together, the web page after the service it calls', async () => {
    const service = await h.acceptedInIntegration('sample-service', 'service change');
    const web = await h.acceptedInIntegration('sample-web', 'web change');

    const promoted = await h.products.promote({ environment: 'preproduction', requestedBy: 'alice' });
    const approval = await h.pendingApproval(promoted.releaseId, 'accept');
    await h.release.approvals.decide({ approvalId: approval.id, decision: 'approve', by: 'qa@example.com', via: 'api' });
    const execution = h.execution(promoted.releaseId);

    expect((await execution.result).status).toBe('SUCCEEDED');
    expect(at(execution.history, 'StateEntered', 'MemberDeploy', 'sample-web')).toBeGreaterThan(at(execution.history, 'StateExited', 'MemberTest', 'sample-service'));
    expect(h.deployedCommit('sample-service', 'preproduction')).toBe(service);
    expect(h.deployedCommit('sample-web', 'preproduction')).toBe(web);
  }, 180_000);
});
