import { describe, expect, it } from 'vitest';
import { compareToTip, historyOf, MAX_HISTORY_WALK, type KnownCommit } from '../../core/commit-order';

const sha = (name: string) => name.padEnd(40, '0');
const Z = '0'.repeat(40);

/** What the CMDB would know after the pushes given, by commit. */
function known(...commits: Array<Omit<KnownCommit, 'commit' | 'behind'> & { commit: string; behind?: string[] }>) {
  const byCommit = new Map(commits.map((commit) => [sha(commit.commit), { ...commit, commit: sha(commit.commit), behind: (commit.behind ?? []).map(sha) }]));
  const reads: string[][] = [];
  return {
    get: (name: string) => byCommit.get(sha(name))!,
    reads,
    lookup: async (wanted: readonly string[]) => {
      reads.push([...wanted]);
      return wanted.flatMap((commit) => (byCommit.has(commit) ? [byCommit.get(commit)!] : []));
    },
  };
}

describe('which of two pushed commits is newer', () => {
  it.each([
    ['the tip itself', 'd', 'd', 'same'],
    ['a commit whose history reaches the tip', 'd', 'b', 'newer'],
    ['a commit in the tip\'s history', 'b', 'd', 'older'],
    ['the first commit, behind everything', 'a', 'd', 'older'],
  ] as const)('%s is %s', async (_case, incoming, tip, order) => {
    // a <- b <- c <- d, each push's `before` the one before it, no times given.
    const history = known({ commit: 'a' }, { commit: 'b', behind: ['a'] }, { commit: 'c', behind: ['b'] }, { commit: 'd', behind: ['c'] });

    const decision = await compareToTip(history.get(incoming), history.get(tip), history.lookup);

    expect(decision.order).toBe(order);
  });

  it('uses the commits a push lists to bridge a delivery that has not arrived', async () => {
    // The push of d listed c and b; the delivery of c's own push never came.
    const history = known({ commit: 'b', behind: ['a'] }, { commit: 'd', behind: ['x', 'c', 'b'] });

    expect((await compareToTip(history.get('d'), history.get('b'), history.lookup)).order).toBe('newer');
    expect((await compareToTip(history.get('b'), history.get('d'), history.lookup)).order).toBe('older');
  });

  it.each([
    ['later push time wins when history does not tell', '2026-01-01T10:00:05.000Z', '2026-01-01T10:00:00.000Z', undefined, 'newer'],
    ['an earlier push time loses', '2026-01-01T09:59:00.000Z', '2026-01-01T10:00:00.000Z', undefined, 'older'],
    ['equal times keep the tip', '2026-01-01T10:00:00.000Z', '2026-01-01T10:00:00.000Z', undefined, 'older'],
    ['no times: a forced push replaces the tip', undefined, undefined, true, 'newer'],
    ['no times, not forced: the tip stays', undefined, undefined, false, 'older'],
    ['an older forced push still loses on time', '2026-01-01T09:00:00.000Z', '2026-01-01T10:00:00.000Z', true, 'older'],
  ] as const)('%s', async (_case, incomingAt, tipAt, forced, order) => {
    // b and d share no known history: the push between them has not been delivered.
    const history = known(
      { commit: 'b', behind: ['a'], ...(tipAt ? { pushedAt: tipAt } : {}) },
      { commit: 'd', behind: ['c'], ...(incomingAt ? { pushedAt: incomingAt } : {}), ...(forced === undefined ? {} : { forced }) },
    );

    const decision = await compareToTip(history.get('d'), history.get('b'), history.lookup);

    expect(decision.order).toBe(order);
    expect(decision.reason).not.toBe('');
  });

  it('ends a walk through a cycle, and reads each commit once per walk', async () => {
    const history = known({ commit: 'a', behind: ['b'] }, { commit: 'b', behind: ['a'] }, { commit: 'z' });

    expect((await compareToTip(history.get('a'), history.get('z'), history.lookup)).order).toBe('older');
    const read = history.reads.flat();
    expect(new Set(read).size).toBe(read.length);
  });

  it('stops after MAX_HISTORY_WALK commits of a history too long to walk', async () => {
    const chain = Array.from({ length: MAX_HISTORY_WALK + 50 }, (_, index) => ({ commit: `c${index}`, behind: index === 0 ? [] : [`c${index - 1}`] }));
    const history = known(...chain);

    const decision = await compareToTip(history.get(`c${MAX_HISTORY_WALK + 49}`), history.get('c0'), history.lookup);

    expect(decision.order).toBe('older');
    expect(history.reads.flat().length).toBeLessThanOrEqual(MAX_HISTORY_WALK);
  });

  it('reads nothing past the first step for a commit no recorded commit lists', async () => {
    // A long branch c0 <- ... <- c199 (the tip) and c201, pushed before c200 was delivered: c201's own
    // push names c200, nothing recorded lists c201, and nothing recorded lists c199 either.
    // (Names end in 'x': padded to a SHA, c19 and c190 must not be the same commit.)
    const chain = Array.from({ length: 200 }, (_, index) => ({ commit: `c${index}x`, behind: index === 0 ? [] : [`c${index - 1}x`] }));
    const history = known(...chain, { commit: 'c201x', behind: ['c200x'] });
    const unlisted = (name: string): KnownCommit => ({ ...history.get(name), listed: false });

    const decision = await compareToTip(unlisted('c201x'), unlisted('c199x'), history.lookup);

    expect(decision.order).toBe('older');
    expect(history.reads).toEqual([]);
    // Without the index (`listed` unknown) the same question walks the whole branch: 200 reads.
    expect((await compareToTip(history.get('c201x'), history.get('c199x'), history.lookup)).order).toBe('older');
    expect(history.reads.length).toBe(200);
  });

  it('still finds a commit that is listed, and one named by the first step', async () => {
    const history = known({ commit: 'a' }, { commit: 'b', behind: ['a'] }, { commit: 'c', behind: ['b'] }, { commit: 'd', behind: ['c'] });
    const as = (name: string, listed: boolean): KnownCommit => ({ ...history.get(name), listed });

    // b is listed (c lists it): the walk from d goes on to find it.
    expect((await compareToTip(as('b', true), as('d', false), history.lookup)).order).toBe('older');
    expect((await compareToTip(as('d', false), as('b', true), history.lookup)).order).toBe('newer');
    // d's own history names c: found at the first step, listed or not.
    expect((await compareToTip(as('d', false), as('c', false), history.lookup)).order).toBe('newer');
  });
});

describe('the history one push tells', () => {
  it.each([
    ['a normal push: its before and the commits it lists', { before: sha('a'), ancestors: [sha('b'), sha('c')] }, [sha('a'), sha('b'), sha('c')]],
    ['a created branch: only what it lists', { before: Z, ancestors: [sha('b')] }, [sha('b')]],
    ['a forced push: not its before, which it replaced', { before: sha('a'), forced: true, ancestors: [sha('b')] }, [sha('b')]],
    ['a push that says nothing', {}, []],
  ])('%s', (_case, push, behind) => {
    expect(historyOf(push)).toEqual(behind);
  });
});
