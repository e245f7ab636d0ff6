/**
 * Which of two pushed commits of a branch is newer, decided from what the git hosts told us and never
 * from when their webhooks arrived (see docs/architecture.md#commit-order).
 *
 * Every push tells us some history: the commit the branch pointed at before it (unless the push
 * rewrote history, or created the branch) and the other commits it lists. A commit whose known history
 * reaches the other one is newer; one that the other's known history reaches is older. When neither
 * reaches the other (a delivery in between has not arrived, or history was rewritten), the times the
 * hosts report decide; when they cannot either, a forced push is taken as the branch's new state and
 * anything else is not: an environment is never moved on a guess.
 */

/** What the CMDB knows of one pushed commit. */
export interface KnownCommit {
  readonly commit: string;
  /** Commits known to be in its history: pushes' `before` (not for forced pushes) and listed commits. */
  readonly behind: readonly string[];
  /** When its push happened, as the host reports it (ISO 8601); unknown for some hosts and events. */
  readonly pushedAt?: string;
  /** The push that brought it rewrote the branch's history. */
  readonly forced?: boolean;
  /**
   * Whether any recorded commit lists it in its history, when the CMDB can say (it keeps, for each
   * commit, which recorded commits list it): `false` ends a search for it after the first step, since
   * only recorded commits lead further. Unknown (`undefined`), every search walks.
   */
  readonly listed?: boolean;
}

export type CommitOrder = 'same' | 'newer' | 'older';

export interface OrderDecision {
  /** How the incoming commit relates to the branch's recorded tip. */
  readonly order: CommitOrder;
  /** Why, in words for the release's history and the console. */
  readonly reason: string;
}

/** Reads what is known of several commits at once; unknown ones are left out. */
export type CommitLookup = (commits: readonly string[]) => Promise<readonly KnownCommit[]>;

/** How many commits one comparison may read: enough for any real gap, bounded for a pathological one. */
export const MAX_HISTORY_WALK = 1_000;

export async function compareToTip(incoming: KnownCommit, tip: KnownCommit, lookup: CommitLookup): Promise<OrderDecision> {
  const short = (commit: string) => commit.slice(0, 12);
  if (incoming.commit === tip.commit) return { order: 'same', reason: `${short(tip.commit)} is the branch's tip already` };
  if (await reaches(incoming, tip, lookup)) return { order: 'newer', reason: `${short(tip.commit)} is in its history` };
  if (await reaches(tip, incoming, lookup)) return { order: 'older', reason: `it is in the history of ${short(tip.commit)}, which was pushed already` };
  if (incoming.pushedAt && tip.pushedAt && incoming.pushedAt !== tip.pushedAt) {
    return incoming.pushedAt > tip.pushedAt
      ? { order: 'newer', reason: `pushed at ${incoming.pushedAt}, after ${short(tip.commit)} (${tip.pushedAt})` }
      : { order: 'older', reason: `pushed at ${incoming.pushedAt}, before ${short(tip.commit)} (${tip.pushedAt})` };
  }
  if (incoming.forced) return { order: 'newer', reason: `a forced push replaced ${short(tip.commit)}` };
  return { order: 'older', reason: `nothing the git host said shows it is newer than ${short(tip.commit)}` };
}

/**
 * Whether `target` is in the known history of `from`: a breadth-first walk of `behind`, bounded. The first
 * step is `from`'s own history (for the incoming commit, what its push says, not recorded yet); every
 * further step reads recorded commits, so a target that no recorded commit lists cannot be found there,
 * and the walk stops instead of reading the whole branch back to its first commit.
 */
async function reaches(from: KnownCommit, target: KnownCommit, lookup: CommitLookup): Promise<boolean> {
  const seen = new Set<string>([from.commit]);
  let frontier = [...new Set(from.behind)].filter((commit) => !seen.has(commit));
  while (frontier.length > 0 && seen.size < MAX_HISTORY_WALK) {
    if (frontier.includes(target.commit)) return true;
    if (target.listed === false) return false;
    for (const commit of frontier) seen.add(commit);
    const known = await lookup(frontier);
    frontier = [...new Set(known.flatMap((commit) => commit.behind))].filter((commit) => !seen.has(commit));
  }
  return false;
}

/** What one push tells of its commit's history (see `KnownCommit.behind`). */
export function historyOf(push: { before?: string; forced?: boolean; ancestors?: readonly string[] }): string[] {
  const before = push.before && !/^0+$/.test(push.before) && !push.forced ? [push.before] : [];
  return [...new Set([...before, ...(push.ancestors ?? [])])];
}
