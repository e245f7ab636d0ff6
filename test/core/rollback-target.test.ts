import { describe, expect, it } from 'vitest';
import type { AcceptedCommit } from '../../core/cmdb';
import { rollbackTarget } from '../../core/rollback-target';
import { createWorld, sha } from './release-operations-harness';

const REPO = 'sample-service';
const ENV = 'preproduction';
const [A, B, C] = [sha('a'), sha('b'), sha('c')];

async function* listed(...acceptances: AcceptedCommit[]) {
  for (const acceptance of acceptances) yield acceptance;
}
const accepted = (commit: string, releaseId: string): AcceptedCommit => ({ commit, releaseId, acceptedAt: '2030-01-01T00:00:00.000Z' });

describe('what a rollback goes back to', () => {
  it.each([
    ['the newest other accepted commit', [accepted(C, 'c'), accepted(B, 'b'), accepted(A, 'a')], [C], [], B],
    ['past a release a rollback already took out', [accepted(B, 'b2'), accepted(C, 'c'), accepted(B, 'b'), accepted(A, 'a')], [B], ['c'], A],
    ['nothing when only the running commit was ever accepted', [accepted(A, 'a'), accepted(A, 'a2')], [A], [], undefined],
  ] as Array<[string, AcceptedCommit[], string[], string[], string | undefined]>)('%s', async (_case, acceptances, leaving, rolledBack, expected) => {
    const target = await rollbackTarget(listed(...acceptances), { leaving, rolledBack: async (releaseId) => rolledBack.includes(releaseId) });

    expect(target?.commit).toBe(expected);
  });
});

describe('rollback through the use case (DynamoDB Local)', () => {
  it('with A, B, C accepted and rolled back to B, rolls back once more to A', async () => {
    // Prepare: A, B, C accepted in preproduction; a rollback took C out and put B back.
    const world = await createWorld();
    for (const commit of [A, B, C]) await world.seed.acceptedInIntegration(REPO, commit);
    for (const commit of [A, B, C]) await world.seed.acceptedIn(REPO, ENV, commit);
    const first = await world.operations.rollback({ repository: REPO, environment: ENV, requestedBy: 'rm' });
    const firstRun = await world.stores.releases.getRelease(first.releaseId);
    expect(firstRun?.commit).toBe(B);
    await world.stores.releases.transitionRelease(first.releaseId, 'deploying', { by: 'codebuild', at: new Date().toISOString() });
    await world.stores.releases.recordDeployment(first.releaseId, { by: 'codebuild', at: new Date().toISOString() });
    await world.stores.releases.markAccepted(first.releaseId, { by: 'system', at: new Date().toISOString() });
    await world.stores.releases.transitionRelease(firstRun!.rollbackOf!, 'rolled_back', { by: 'system', at: new Date().toISOString() });

    // Act
    const second = await world.operations.rollback({ repository: REPO, environment: ENV, requestedBy: 'rm' });

    // Assess
    expect((await world.stores.releases.getRelease(second.releaseId))?.commit).toBe(A);
  });

  it('keeps every acceptance: re-accepting a commit lists both, and it stays accepted', async () => {
    const world = await createWorld();
    await world.seed.acceptedInIntegration(REPO, A);
    const firstRelease = await world.seed.acceptedIn(REPO, ENV, A);
    const again = await world.seed.acceptedIn(REPO, ENV, A, 'rollback');

    const acceptances = await world.stores.releases.acceptedCommits(REPO, ENV);

    expect(acceptances.map((acceptance) => acceptance.releaseId)).toEqual([again, firstRelease]);
    expect(await world.stores.releases.isAccepted(REPO, ENV, A)).toBe(true);
  });
});
