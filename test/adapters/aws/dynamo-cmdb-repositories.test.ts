import { beforeAll, describe, expect, it } from 'vitest';
import { LeaseBusyError, ValidationError } from '../../../core/errors';
import { createTestCmdb, type TestCmdb } from '../../support/dynamo';

const sha = (seed: string) => seed.repeat(40).slice(0, 40);
const C1 = 'abcdef01' + '0'.repeat(32);
const C2 = 'abcdef02' + '0'.repeat(32);
const at = (minute: number) => new Date(Date.UTC(2026, 10, 1, 0, minute)).toISOString();

describe('DynamoPushes, DynamoDeliveries and DynamoLeases: commits, tags, deliveries and leases (DynamoDB Local)', () => {
  let t: TestCmdb;
  beforeAll(async () => {
    t = await createTestCmdb();
  });

  it('moves a branch head only forward in push time', async () => {
    const first = await t.pushes.recordPush({ repository: 'svc', branch: 'main', commit: sha('1'), message: 'one', author: 'a', pushedAt: at(2) });
    const late = await t.pushes.recordPush({ repository: 'svc', branch: 'main', commit: sha('0'), message: 'zero', author: 'a', pushedAt: at(1) });

    expect(first.head).toBe(true);
    expect(late.head).toBe(false);
    expect(await t.pushes.branchHead('svc', 'main')).toEqual({ commit: sha('1'), message: 'one', author: 'a', pushedAt: at(2) });
    expect(await t.pushes.getCommit('svc', sha('0'))).toMatchObject({ message: 'zero' });
  });

  it('resolves full SHAs, unique short SHAs and tags; refuses ambiguous short SHAs', async () => {
    await t.pushes.recordPush({ repository: 'refs', branch: 'main', commit: C1, message: 'm', author: 'a', pushedAt: at(1) });
    await t.pushes.recordPush({ repository: 'refs', branch: 'main', commit: C2, message: 'm', author: 'a', pushedAt: at(2) });
    await t.pushes.recordTag('refs', 'v1.0.0', C1, at(3));

    const cases: Array<[string, string | undefined]> = [
      [C1, C1],
      [C2.toUpperCase(), C2],
      ['abcdef02', C2],
      ['v1.0.0', C1],
      ['v9', undefined],
      ['f'.repeat(40), undefined],
      ['abc', undefined],
    ];
    for (const [ref, expected] of cases) expect(await t.pushes.resolveRef('refs', ref), ref).toBe(expected);
    await expect(t.pushes.resolveRef('refs', 'abcdef0')).rejects.toBeInstanceOf(ValidationError);
    expect(await t.pushes.resolveRef('other-repo', 'abcdef02')).toBeUndefined();
  });

  it('claims a delivery id once, even when claims race', async () => {
    const now = new Date(at(0));
    const results = await Promise.all(Array.from({ length: 8 }, () => t.deliveries.claimDelivery('github', 'delivery-1', now)));

    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await t.deliveries.claimDelivery('gitlab', 'delivery-1', now)).toBe(true);
  });

  it('keeps a delivery id at least 7 days, then lets it go', async () => {
    const first = new Date(at(0));
    await t.deliveries.claimDelivery('github', 'delivery-ttl', first);

    expect(await t.deliveries.claimDelivery('github', 'delivery-ttl', new Date(first.getTime() + 7 * 86_400_000))).toBe(false);
    expect(await t.deliveries.claimDelivery('github', 'delivery-ttl', new Date(first.getTime() + 9 * 86_400_000))).toBe(true);
  });

  it('gives the deploy lease to exactly one of racing holders', async () => {
    const now = new Date(at(0));
    const results = await Promise.allSettled(['run-1', 'run-2', 'run-3', 'run-4'].map((holder) => t.leases.acquireLease('svc', 'integration', holder, 600, now)));

    const winners = results.filter((result) => result.status === 'fulfilled');
    expect(winners).toHaveLength(1);
    for (const result of results) if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(LeaseBusyError);
  });

  it('lets the holder re-take and release its lease, and nobody else release it', async () => {
    const now = new Date(at(0));
    await t.leases.acquireLease('svc', 'lease', 'run-a', 600, now);
    await t.leases.acquireLease('svc', 'lease', 'run-a', 600, now);

    await t.leases.releaseLease('svc', 'lease', 'run-b');
    await expect(t.leases.acquireLease('svc', 'lease', 'run-b', 600, now)).rejects.toThrow(/being deployed by run-a/);
    await t.leases.releaseLease('svc', 'lease', 'run-a');
    await expect(t.leases.acquireLease('svc', 'lease', 'run-b', 600, now)).resolves.toBeUndefined();
  });

  it('lets a new holder take an expired lease, so a crashed holder cannot block forever', async () => {
    const start = new Date(at(0));
    await t.leases.acquireLease('svc', 'crash', 'crashed-run', 60, start);

    await expect(t.leases.acquireLease('svc', 'crash', 'next-run', 60, new Date(start.getTime() + 30_000))).rejects.toBeInstanceOf(LeaseBusyError);
    await expect(t.leases.acquireLease('svc', 'crash', 'next-run', 60, new Date(start.getTime() + 61_000))).resolves.toBeUndefined();
  });
});
