import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestCmdb, type TestCmdb } from '../../support/dynamo';

/**
 * The webhook records a push; the push's run, whenever it begins, moves the branch head
 * (docs/architecture.md#webhooks). Deliveries and run beginnings in any order, several at once: the head
 * never moves back in the branch's history, only ever names a commit whose run has begun, and, when
 * the host gives push times, ends on the newest push.
 */

const COMMITS = 5;
const sha = (index: number) => (index + 1).toString(16).padStart(2, '0').repeat(20);
const at = (index: number) => new Date(Date.UTC(2026, 10, 1, 10, index)).toISOString();

type Event = { kind: 'deliver' | 'begin'; index: number };

/** Every delivery once and every run's beginning after its delivery, in batches that happen at once. */
const schedules = fc
  .tuple(
    fc.array(fc.nat(), { minLength: 2 * COMMITS, maxLength: 2 * COMMITS }),
    fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 2 * COMMITS, maxLength: 2 * COMMITS }),
  )
  .map(([keys, sizes]) => {
    // A random interleaving: each commit's delivery keyed before its beginning.
    const events: Array<Event & { key: number }> = [];
    for (let index = 0; index < COMMITS; index += 1) {
      const [first, second] = [keys[2 * index]!, keys[2 * index + 1]!].sort((a, b) => a - b);
      events.push({ kind: 'deliver', index, key: first! * 2 }, { kind: 'begin', index, key: second! * 2 + 1 });
    }
    events.sort((a, b) => a.key - b.key);
    const batches: Event[][] = [];
    for (let next = 0; next < events.length; ) {
      const size = sizes[batches.length] ?? 1;
      const batch = events.slice(next, next + size).map(({ kind, index }) => ({ kind, index }));
      // A run begins only once its delivery was answered (StartExecution follows the write): never at once.
      const early = batch.filter((event) => event.kind === 'begin' && batch.some((other) => other.kind === 'deliver' && other.index === event.index));
      batches.push(batch.filter((event) => !early.includes(event)));
      if (early.length > 0) batches.push(early);
      next += size;
    }
    return batches;
  });

describe('the branch head, moved by runs that begin late and at once (DynamoDB Local)', () => {
  let cmdb: TestCmdb;
  let repositories = 0;
  beforeAll(async () => {
    cmdb = await createTestCmdb();
  });

  it.each([
    ['with the host\'s push times', true],
    ['without them', false],
  ])('never moves back, and names only a begun commit (%s)', async (_case, times) => {
    await fc.assert(
      fc.asyncProperty(schedules, async (batches) => {
        const repository = `r${(repositories += 1)}`;
        const begun = new Set<number>();
        let position = -1;
        for (const batch of batches) {
          await Promise.all(
            batch.map(async ({ kind, index }) => {
              if (kind === 'begin') {
                begun.add(index);
                return cmdb.pushes.advanceHead(repository, 'main', sha(index));
              }
              return cmdb.pushes.claimAndRecordPush(
                { provider: 'github', deliveryId: `${repository}-${index}`, at: new Date() },
                { repository, branch: 'main', commit: sha(index), message: `change ${index}`, author: 'a', pushedAt: new Date().toISOString(), ...(index > 0 ? { before: sha(index - 1) } : {}), ...(times ? { hostPushedAt: at(index) } : {}) },
              );
            }),
          );
          const head = (await cmdb.pushes.branchHead(repository, 'main'))?.commit;
          const now = head === undefined ? -1 : Array.from({ length: COMMITS }, (_, index) => sha(index)).indexOf(head);
          expect(now, `the head went back from ${position} to ${now}`).toBeGreaterThanOrEqual(position);
          if (now >= 0) expect(begun.has(now)).toBe(true);
          position = now;
        }
        if (times) expect(position).toBe(COMMITS - 1);
      }),
      { numRuns: 25 },
    );
  }, 120_000);
});
