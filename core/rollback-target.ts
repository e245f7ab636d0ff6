import type { AcceptedCommit } from './cmdb';

/** How far back a rollback looks: acceptances of one environment, newest first. */
export const MAX_ROLLBACK_LOOKBACK = 1_000;

/**
 * The one rule for what a rollback goes back to, for `cot rollback` and `autoRollback` alike
 * (docs/architecture.md#rollback): the newest acceptance of the environment whose commit is not the one
 * being rolled back, and whose release a rollback has not already taken out. Acceptances are read page
 * by page as far as needed, so an environment rolled back several times still finds its way back.
 */
export async function rollbackTarget(
  acceptances: AsyncIterable<AcceptedCommit>,
  options: {
    /** The commits to leave: what runs there now, and the release that failed or was rejected. */
    readonly leaving: ReadonlyArray<string | undefined>;
    /** Whether a rollback took this acceptance's release out of the environment. */
    readonly rolledBack: (releaseId: string) => Promise<boolean>;
  },
): Promise<AcceptedCommit | undefined> {
  const leaving = new Set(options.leaving.filter((commit): commit is string => commit !== undefined));
  let read = 0;
  for await (const acceptance of acceptances) {
    if (++read > MAX_ROLLBACK_LOOKBACK) return undefined;
    if (leaving.has(acceptance.commit)) continue;
    if (await options.rolledBack(acceptance.releaseId)) continue;
    return acceptance;
  }
  return undefined;
}
