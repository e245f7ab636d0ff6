import { beforeAll, describe, expect, it } from 'vitest';
import type { NewRelease } from '../../../core/cmdb';
import { ConflictError, NotFoundError, ValidationError } from '../../../core/errors';
import { newReleaseId } from '../../../core/ids';
import { createTestCmdb, type TestCmdb } from '../../support/dynamo';

const COMMIT_A = 'a'.repeat(40);
const COMMIT_B = 'b'.repeat(40);

function release(overrides: Partial<NewRelease> = {}): NewRelease {
  const createdAt = overrides.createdAt ?? new Date().toISOString();
  return {
    releaseId: newReleaseId(new Date(createdAt)),
    repository: 'svc',
    environment: 'preproduction',
    commit: COMMIT_A,
    kind: 'release',
    requestedBy: 'alice',
    createdAt,
    ...overrides,
  };
}

const at = (minute: number) => new Date(Date.UTC(2026, 10, 1, 0, minute)).toISOString();

describe('DynamoReleases: releases, board and history (DynamoDB Local)', () => {
  let t: TestCmdb;
  beforeAll(async () => {
    t = await createTestCmdb('product-a');
  });

  it('walks a release along the lifecycle and shows it on the board', async () => {
    // Prepare
    const r = release({ environment: 'walk' });
    await t.releases.createRelease(r);

    // Act
    await t.releases.transitionRelease(r.releaseId, 'awaiting_approval', { by: 'system', at: at(1) });
    await t.releases.transitionRelease(r.releaseId, 'deploying', { by: 'qa@example.com', at: at(2) });
    const deploying = await t.releases.boardCell('svc', 'walk');
    await t.releases.recordDeployment(r.releaseId, { by: 'system', at: at(3) });
    await t.releases.transitionRelease(r.releaseId, 'awaiting_acceptance', { by: 'system', at: at(4) });
    const accepted = await t.releases.markAccepted(r.releaseId, { by: 'qa@example.com', at: at(5) });

    // Assess
    expect(deploying).toMatchObject({ commit: null, state: 'deploying' });
    expect(accepted.state).toBe('accepted');
    expect(accepted).toMatchObject({ startedAt: at(2), deployedAt: at(3) });
    expect(accepted.finishedAt).toBe(at(5));
    expect(accepted.history.map((change) => change.state)).toEqual(['prepared', 'awaiting_approval', 'deploying', 'testing', 'awaiting_acceptance', 'accepted']);
    const entry = await t.releases.boardCell('svc', 'walk');
    expect(entry).toMatchObject({ commit: COMMIT_A, acceptedCommit: COMMIT_A, state: 'accepted', releaseId: r.releaseId, deployedReleaseId: r.releaseId, held: false });
    expect(await t.releases.isAccepted('svc', 'walk', COMMIT_A)).toBe(true);
    expect(await t.releases.isAccepted('svc', 'walk', COMMIT_B)).toBe(false);
  });

  it.each([
    ['prepared', 'accepted'],
    ['prepared', 'testing'],
    ['prepared', 'rolled_back'],
  ] as const)('refuses %s -> %s and changes nothing', async (_from, to) => {
    const r = release({ environment: `refuse-${to}` });
    await t.releases.createRelease(r);

    const attempt = to === 'accepted' ? t.releases.markAccepted(r.releaseId, { by: 'x', at: at(1) }) : t.releases.transitionRelease(r.releaseId, to, { by: 'x', at: at(1) });

    await expect(attempt).rejects.toBeInstanceOf(ConflictError);
    expect((await t.releases.getRelease(r.releaseId))?.state).toBe('prepared');
    expect(await t.releases.isAccepted('svc', `refuse-${to}`, COMMIT_A)).toBe(false);
  });

  it('refuses to move a terminal release and to touch an unknown one', async () => {
    const r = release({ environment: 'terminal' });
    await t.releases.createRelease(r);
    await t.releases.transitionRelease(r.releaseId, 'failed', { by: 'system', at: at(1), failure: { step: 'build', message: 'exit 1' } });

    await expect(t.releases.transitionRelease(r.releaseId, 'deploying', { by: 'x', at: at(2) })).rejects.toThrow(/is failed: it cannot become deploying/);
    await expect(t.releases.transitionRelease('r-nope', 'failed', { by: 'x', at: at(2) })).rejects.toBeInstanceOf(NotFoundError);
    expect((await t.releases.getRelease(r.releaseId))?.failure).toEqual({ step: 'build', message: 'exit 1' });
  });

  it('lets two racing transitions from the same state win exactly once', async () => {
    const r = release({ environment: 'race' });
    await t.releases.createRelease(r);
    await t.releases.transitionRelease(r.releaseId, 'awaiting_approval', { by: 'system', at: at(1) });

    const results = await Promise.allSettled([
      t.releases.transitionRelease(r.releaseId, 'rejected', { by: 'bob', at: at(2) }),
      t.releases.transitionRelease(r.releaseId, 'deploying', { by: 'carol', at: at(2) }),
      t.releases.transitionRelease(r.releaseId, 'superseded', { by: 'system', at: at(2) }),
    ]);

    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((result) => result.status === 'rejected').every((result) => (result as PromiseRejectedResult).reason instanceof ConflictError)).toBe(true);
  });

  it('keeps the board on the newest release while an older one moves on', async () => {
    const older = release({ environment: 'newest', createdAt: at(1) });
    const newer = release({ environment: 'newest', createdAt: at(2), commit: COMMIT_B });
    await t.releases.createRelease(newer);
    await t.releases.createRelease(older);

    await t.releases.transitionRelease(older.releaseId, 'superseded', { by: 'system', at: at(3) });

    expect(await t.releases.boardCell('svc', 'newest')).toMatchObject({ releaseId: newer.releaseId, state: 'prepared', commit: null });
    expect((await t.releases.getRelease(older.releaseId))?.state).toBe('superseded');
  });

  it('answers the board in one query: every cell of the product, and held flags', async () => {
    const other = await createTestCmdb('product-a');
    await other.releases.createRelease(release({ repository: 'api', environment: 'integration' }));
    await other.releases.createRelease(release({ repository: 'web', environment: 'integration' }));
    await other.releases.setHeld('web', 'integration', true, at(9));

    const board = await other.releases.board();

    expect(board.entries.map((entry) => `${entry.repository}/${entry.environment}/${entry.held}`).sort()).toEqual(['api/integration/false', 'web/integration/true']);
    expect(board.pendingApprovals).toEqual([]);
  });

  it('pages 250 deployments newest first with an opaque cursor, 25 a page', async () => {
    // Prepare: 250 deployments one minute apart, written one after another (every write moves the one
    // board cell of the environment: written at once, they only wait for each other's transactions).
    // Ten pages of 25 walk the cursor as ten pages of 100 would, for a quarter of the writes.
    const releases = Array.from({ length: 250 }, (_, index) =>
      release({ environment: 'history', commit: index.toString(16).padStart(40, '0'), createdAt: new Date(Date.UTC(2026, 0, 1, 0, index)).toISOString() }),
    );
    for (const r of releases) {
      await t.releases.createRelease(r);
      await t.releases.transitionRelease(r.releaseId, 'deploying', { by: 'ci', at: r.createdAt });
    }

    // Act
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await t.releases.history('svc', 'history', { limit: 25, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((item) => item.releaseId));
      cursor = page.cursor ?? undefined;
      pages += 1;
    } while (cursor && pages < 20);

    // Assess
    expect(seen).toEqual(releases.map((r) => r.releaseId).reverse());
    expect(pages).toBeLessThanOrEqual(11);
    expect(new Set(seen).size).toBe(250);
  }, 120_000);

  it('refuses a forged cursor and an out-of-range limit', async () => {
    await expect(t.releases.history('svc', 'history', { cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(ValidationError);
    await expect(t.releases.history('svc', 'history', { limit: 0 })).rejects.toBeInstanceOf(ValidationError);
    await expect(t.releases.history('svc', 'history', { limit: 101 })).rejects.toBeInstanceOf(ValidationError);
  });

  it('keeps the artifact version a release deploys, once, and carries it with each acceptance', async () => {
    // Prepare
    const accept = async (releaseId: string, minute: number) => {
      await t.releases.transitionRelease(releaseId, 'deploying', { by: 'ci', at: at(minute) });
      await t.releases.recordDeployment(releaseId, { by: 'ci', at: at(minute + 1) });
      await t.releases.markAccepted(releaseId, { by: 'ci', at: at(minute + 2) });
    };
    const first = release({ environment: 'pinned', kind: 'deploy', createdAt: at(1) });
    const rebuilt = release({ environment: 'pinned', kind: 'deploy', createdAt: at(10) });
    const unrecorded = release({ environment: 'pinned', kind: 'deploy', commit: COMMIT_B, createdAt: at(20) });
    for (const each of [first, rebuilt, unrecorded]) await t.releases.createRelease(each);

    // Act
    await t.releases.recordArtifact(first.releaseId, 'v1');
    await t.releases.recordArtifact(first.releaseId, 'v1');
    const swap = await t.releases.recordArtifact(first.releaseId, 'v2').catch((error: unknown) => error);
    await accept(first.releaseId, 2);
    const afterFirst = await t.releases.acceptedArtifact('svc', 'pinned', COMMIT_A);
    await t.releases.recordArtifact(rebuilt.releaseId, 'v2');
    await accept(rebuilt.releaseId, 11);
    await accept(unrecorded.releaseId, 21);

    // Assess
    expect(swap).toBeInstanceOf(ConflictError);
    await expect(t.releases.recordArtifact('no-such-release', 'v1')).rejects.toBeInstanceOf(ConflictError);
    expect(await t.releases.getRelease(first.releaseId)).toMatchObject({ artifactVersion: 'v1' });
    expect(afterFirst).toBe('v1');
    expect(await t.releases.acceptedArtifact('svc', 'pinned', COMMIT_A)).toBe('v2');
    expect(await t.releases.acceptedArtifact('svc', 'pinned', COMMIT_B)).toBeUndefined();
    expect(await t.releases.acceptedArtifact('svc', 'elsewhere', COMMIT_A)).toBeUndefined();
    expect(await t.releases.acceptedCommits('svc', 'pinned')).toEqual([
      { commit: COMMIT_B, releaseId: unrecorded.releaseId, acceptedAt: at(23) },
      { commit: COMMIT_A, releaseId: rebuilt.releaseId, acceptedAt: at(13), artifactVersion: 'v2' },
      { commit: COMMIT_A, releaseId: first.releaseId, acceptedAt: at(4), artifactVersion: 'v1' },
    ]);
  });

  it('lists accepted commits of an environment newest first, for rollback', async () => {
    const first = release({ environment: 'rollback', commit: COMMIT_A, kind: 'deploy' });
    const second = release({ environment: 'rollback', commit: COMMIT_B, kind: 'deploy' });
    for (const [r, minute] of [[first, 1], [second, 5]] as const) {
      await t.releases.createRelease(r);
      await t.releases.transitionRelease(r.releaseId, 'building', { by: 'ci', at: at(minute) });
      await t.releases.transitionRelease(r.releaseId, 'deploying', { by: 'ci', at: at(minute + 1) });
      await t.releases.recordDeployment(r.releaseId, { by: 'ci', at: at(minute + 2) });
      await t.releases.markAccepted(r.releaseId, { by: 'ci', at: at(minute + 3) });
    }

    const accepted = await t.releases.acceptedCommits('svc', 'rollback');

    expect(accepted.map((entry) => entry.commit)).toEqual([COMMIT_B, COMMIT_A]);
    expect(accepted[0]).toMatchObject({ releaseId: second.releaseId, acceptedAt: at(8) });
  });

  it('a failed deploy leaves the current commit as it was', async () => {
    const r = release({ environment: 'deploy-failed', kind: 'deploy' });
    await t.releases.createRelease(r);
    await t.releases.transitionRelease(r.releaseId, 'building', { by: 'ci', at: at(1) });
    await t.releases.transitionRelease(r.releaseId, 'deploying', { by: 'ci', at: at(2) });

    await t.releases.transitionRelease(r.releaseId, 'failed', { by: 'ci', at: at(3), failure: { step: 'deploy', message: 'exit 2' } });

    expect(await t.releases.boardCell('svc', 'deploy-failed')).toMatchObject({ commit: null, acceptedCommit: null, state: 'failed' });
    expect((await t.releases.history('svc', 'deploy-failed')).items).toEqual([expect.objectContaining({ releaseId: r.releaseId, state: 'failed', startedAt: at(2) })]);
  });

  it('a failed deploy or test never moves the accepted pointer', async () => {
    const good = release({ environment: 'pointer', commit: COMMIT_A, kind: 'deploy', createdAt: at(0) });
    await t.releases.createRelease(good);
    await t.releases.transitionRelease(good.releaseId, 'building', { by: 'ci', at: at(1) });
    await t.releases.transitionRelease(good.releaseId, 'deploying', { by: 'ci', at: at(2) });
    await t.releases.recordDeployment(good.releaseId, { by: 'ci', at: at(3) });
    await t.releases.markAccepted(good.releaseId, { by: 'ci', at: at(4) });
    const bad = release({ environment: 'pointer', commit: COMMIT_B, kind: 'deploy', createdAt: at(5) });
    await t.releases.createRelease(bad);
    await t.releases.transitionRelease(bad.releaseId, 'building', { by: 'ci', at: at(5) });
    await t.releases.transitionRelease(bad.releaseId, 'deploying', { by: 'ci', at: at(6) });
    await t.releases.recordDeployment(bad.releaseId, { by: 'ci', at: at(7) });

    await t.releases.transitionRelease(bad.releaseId, 'failed', { by: 'ci', at: at(8), failure: { step: 'test', message: 'red' } });

    expect(await t.releases.boardCell('svc', 'pointer')).toMatchObject({ commit: COMMIT_B, acceptedCommit: COMMIT_A, state: 'failed' });
    expect(await t.releases.isAccepted('svc', 'pointer', COMMIT_B)).toBe(false);
  });
});
