import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { keys } from '../../adapters/aws/cmdb-keys';
import { ConflictError } from '../../core/errors';
import { createTestCmdb } from '../support/dynamo';
import { createWorld, PRODUCT, sha, type World } from './release-operations-harness';

/*
 * An environment never goes backwards (docs/architecture.md#never-backwards): an ordinary release of a
 * commit older than the one running or accepted there is refused, by the CMDB's conditions; a rollback is
 * the one deliberate way back. Against DynamoDB Local.
 */

const REPO = 'sample-service';
const ENV = 'preproduction';
const [C1, C2, C3] = [sha('one'), sha('two'), sha('three')];

/** A world where C1, C2 and C3 passed integration in that order. */
async function world(): Promise<World> {
  const w = await createWorld();
  for (const commit of [C1, C2, C3]) await w.seed.acceptedInIntegration(REPO, commit);
  return w;
}

/** Deploys, tests and accepts a release as the promotion workflow's steps do. */
async function runToAcceptance(w: World, releaseId: string): Promise<void> {
  const { releases } = w.stores;
  const at = () => w.clock.now().toISOString();
  await releases.transitionRelease(releaseId, 'deploying', { by: 'codebuild', at: at() });
  await releases.recordDeployment(releaseId, { by: 'codebuild', at: at() });
  if ((await releases.getRelease(releaseId))?.kind === 'release') await releases.transitionRelease(releaseId, 'awaiting_acceptance', { by: 'system', at: at() });
  await releases.markAccepted(releaseId, { by: 'qa@example.com', at: at() });
}

async function release(w: World, commit: string): Promise<string> {
  return (await w.operations.prepareRelease({ repository: REPO, environment: ENV, ref: commit, requestedBy: 'rm' })).releaseId;
}

describe('an environment never goes backwards (DynamoDB Local)', () => {
  it('refuses (409) a release of a commit older than the one accepted there, names both, and starts nothing', async () => {
    // Prepare: C2 accepted in preproduction.
    const w = await world();
    await runToAcceptance(w, await release(w, C2));
    const started = w.workflows.promotions.length;

    // Act
    const older = release(w, C1);

    // Assess
    await expect(older).rejects.toBeInstanceOf(ConflictError);
    await expect(older).rejects.toThrow(`${C1.slice(0, 7)} is older than ${C2.slice(0, 7)}, which runs in ${ENV}`);
    expect(w.workflows.promotions).toHaveLength(started);
    expect((await w.stores.releases.boardCell(REPO, ENV))?.commit).toBe(C2);
    // The same commit again, or a newer one, is an ordinary release.
    expect(await release(w, C3)).toMatch(/^r-/);
  });

  it('lets a rollback go back to an older accepted commit, and from there releases go forward again', async () => {
    // Prepare: C1 then C2 accepted in preproduction.
    const w = await world();
    await runToAcceptance(w, await release(w, C1));
    await runToAcceptance(w, await release(w, C2));

    // Act: the deliberate way back.
    const { releaseId: rollback } = await w.operations.rollback({ repository: REPO, environment: ENV, to: C1, requestedBy: 'rm' });
    await runToAcceptance(w, rollback);

    // Assess: recorded as a rollback, the environment is back on C1, and C2 may be released again.
    expect(await w.stores.releases.getRelease(rollback)).toMatchObject({ kind: 'rollback', commit: C1, state: 'accepted' });
    expect(await w.stores.releases.boardCell(REPO, ENV)).toMatchObject({ commit: C1, acceptedCommit: C1 });
    const again = await release(w, C2);
    await runToAcceptance(w, again);
    expect(await w.stores.releases.boardCell(REPO, ENV)).toMatchObject({ commit: C2, acceptedCommit: C2 });
  });

  it('does not let an older release start its deploy once something newer ran there, whoever checked before', async () => {
    // Prepare: a release of C1 passed every check; then (a concurrent writer) C3 runs and is accepted there.
    const t = await createTestCmdb(PRODUCT);
    const at = (minute: number) => new Date(Date.UTC(2030, 0, 1, 0, minute)).toISOString();
    for (const [minute, commit] of [[1, C1], [2, C3]] as const) {
      const id = `r-0000000000000000000${minute}`;
      await t.releases.createRelease({ releaseId: id, repository: REPO, environment: 'integration', commit, kind: 'deploy', requestedBy: 'push', createdAt: at(minute) });
      await t.releases.transitionRelease(id, 'deploying', { by: 'codebuild', at: at(minute) });
      await t.releases.recordDeployment(id, { by: 'codebuild', at: at(minute) });
      await t.releases.markAccepted(id, { by: 'codebuild', at: at(minute) });
    }
    const { release: older } = await t.releases.startExclusive({ releaseId: 'r-00000000000000000010', repository: REPO, environment: ENV, commit: C1, kind: 'release', requestedBy: 'rm', createdAt: at(10), rankFrom: 'integration' });
    await t.documentClient.send(
      new UpdateCommand({
        TableName: t.tableName,
        Key: keys.board(PRODUCT, REPO, ENV),
        UpdateExpression: 'SET #commit = :commit, deployedRank = :rank, acceptedCommit = :commit, acceptedRank = :rank',
        ExpressionAttributeNames: { '#commit': 'commit' },
        ExpressionAttributeValues: { ':commit': C3, ':rank': at(2) },
      }),
    );

    // Act
    const deploy = t.releases.transitionRelease(older.releaseId, 'deploying', { by: 'codebuild', at: at(11) });

    // Assess
    expect(older.rank).toBe(at(1));
    await expect(deploy).rejects.toThrow(`${C1.slice(0, 7)} is older than ${C3.slice(0, 7)}, which runs in ${ENV}`);
    expect((await t.releases.getRelease(older.releaseId))?.state).toBe('prepared');
    expect((await t.releases.boardCell(REPO, ENV))?.commit).toBe(C3);
  });

  it('refuses a decision on a release a newer one superseded before its approval was closed, and tells no workflow', async () => {
    // Prepare: C1 waits for acceptance; a newer request supersedes it (its approval is not closed yet).
    const w = await world();
    const first = await release(w, C1);
    await w.stores.releases.transitionRelease(first, 'deploying', { by: 'codebuild', at: w.clock.now().toISOString() });
    await w.stores.releases.recordDeployment(first, { by: 'codebuild', at: w.clock.now().toISOString() });
    const approval = await w.approvals.request({ taskToken: 'token-first', gate: 'accept', releaseId: first, timeoutSeconds: 3600 });
    await w.stores.releases.startExclusive({ releaseId: 'r-zzzzzzzzzzzz00000000', repository: REPO, environment: ENV, commit: C2, kind: 'release', requestedBy: 'rm', createdAt: w.clock.now().toISOString(), rankFrom: 'integration' });

    // Act
    const decided = w.approvals.decide({ approvalId: approval.approvalId, decision: 'approve', by: 'qa@example.com', via: 'api' });

    // Assess
    await expect(decided).rejects.toThrow(`release ${first} no longer waits for this decision`);
    expect(w.workflows.successes).toEqual([]);
    expect((await w.stores.releases.getRelease(first))?.state).toBe('superseded');
    expect((await w.stores.releases.boardCell(REPO, ENV))?.acceptedCommit).toBeNull();
  });
});
