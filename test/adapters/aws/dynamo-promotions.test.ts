import { beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, LeaseBusyError } from '../../../core/errors';
import { newReleaseId } from '../../../core/ids';
import type { NewPromotion } from '../../../core/promotions';
import { createTestCmdb, type TestCmdb } from '../../support/dynamo';

const sha = (digit: string) => digit.repeat(40);
const at = (minute: number) => new Date(Date.UTC(2026, 10, 1, 0, minute)).toISOString();

function promotion(environment: string, minute: number, members: Array<[string, string]>): NewPromotion {
  return {
    releaseId: newReleaseId(new Date(at(minute))),
    environment,
    kind: 'release',
    requestedBy: 'alice',
    createdAt: at(minute),
    members: members.map(([repository, commit]) => ({ repository, commit, releaseId: newReleaseId(new Date(at(minute))), previous: null })),
  };
}

describe('DynamoPromotions on DynamoDB Local: one release at a time holds for promotions too', () => {
  let t: TestCmdb;
  beforeAll(async () => {
    t = await createTestCmdb();
  });

  it('makes every member its cell\'s active release, and a single release of a member is refused with the reason', async () => {
    const started = await t.promotions.startPromotion(promotion('env-a', 1, [['api', sha('1')], ['web', sha('2')]]));

    expect(started.existing).toBe(false);
    expect(started.release).toMatchObject({ repository: '*', state: 'prepared', members: [expect.objectContaining({ repository: 'api' }), expect.objectContaining({ repository: 'web' })] });
    await expect(
      t.releases.startExclusive({ releaseId: newReleaseId(new Date(at(2))), repository: 'web', environment: 'env-a', commit: sha('3'), kind: 'release', requestedBy: 'bob', createdAt: at(2) }),
    ).rejects.toThrow(new ConflictError(`web is part of promotion ${started.release.releaseId}, prepared in env-a: one release at a time; wait for the promotion to end`));
    expect(await t.releases.boardCell('web', 'env-a')).toMatchObject({ releaseId: started.release.members?.[1]?.releaseId, state: 'prepared' });
  });

  it('refuses a promotion while a member\'s cell has a release in flight, and writes nothing', async () => {
    const single = await t.releases.startExclusive({ releaseId: newReleaseId(new Date(at(3))), repository: 'worker', environment: 'env-b', commit: sha('4'), kind: 'release', requestedBy: 'bob', createdAt: at(3) });
    const refused = promotion('env-b', 4, [['api', sha('1')], ['worker', sha('5')]]);

    await expect(t.promotions.startPromotion(refused)).rejects.toThrow(/release .* of worker 4444444 is prepared in env-b: one release at a time/);
    expect(await t.releases.getRelease(refused.releaseId)).toBeUndefined();
    expect(await t.releases.getRelease(refused.members[0]!.releaseId)).toBeUndefined();
    expect(await t.releases.boardCell('api', 'env-b')).toBeUndefined();
    expect((await t.releases.boardCell('worker', 'env-b'))?.releaseId).toBe(single.release.releaseId);
  });

  it('answers an equal promotion in flight with the first, and refuses another one of the environment', async () => {
    const first = await t.promotions.startPromotion(promotion('env-c', 5, [['api', sha('1')]]));

    const again = await t.promotions.startPromotion(promotion('env-c', 6, [['api', sha('1')]]));
    const other = t.promotions.startPromotion(promotion('env-c', 7, [['web', sha('2')]]));

    expect(again).toMatchObject({ existing: true, release: { releaseId: first.release.releaseId } });
    await expect(other).rejects.toThrow(`promotion ${first.release.releaseId} is prepared in env-c: one promotion at a time; decide or reject it first`);
  });

  it('takes every member\'s deploy lease or none', async () => {
    await t.leases.acquireLease('web', 'env-d', 'someone-else', 600, new Date());

    const claim = t.promotions.claimLeases([{ repository: 'api', environment: 'env-d', holder: 'p-api' }, { repository: 'web', environment: 'env-d', holder: 'p-web' }], 600, new Date());

    await expect(claim).rejects.toThrow(new LeaseBusyError('web in env-d is being deployed by another run'));
    expect(await t.leases.leaseHolder('api', 'env-d')).toBeUndefined();
    await t.leases.releaseLease('web', 'env-d', 'someone-else');
    await t.promotions.claimLeases([{ repository: 'api', environment: 'env-d', holder: 'p-api' }, { repository: 'web', environment: 'env-d', holder: 'p-web' }], 600, new Date());
    expect(await t.leases.leaseHolder('api', 'env-d')).toBe('p-api');
    expect(await t.leases.leaseHolder('web', 'env-d')).toBe('p-web');
  });
});
