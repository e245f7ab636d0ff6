import type { Actor, Failure, NewRelease, Release } from '../../core/cmdb';
import { allowedFrom, isTerminal, type ReleaseState } from '../../core/release-lifecycle';
import { keys } from './cmdb-keys';

/* The updates a release's writes are made of; `DynamoReleases` puts them in one transaction. */

/** The conditional update that moves a release to `to`, only from a state the lifecycle allows. */
export function releaseTransition(tableName: string, releaseId: string, to: ReleaseState, change: Actor & { detail?: string; failure?: Failure }, extra: Record<string, unknown> = {}) {
  const from = allowedFrom(to);
  const set: Record<string, unknown> = { state: to, updatedAt: change.at, ...extra };
  if (change.failure) set.failure = change.failure;
  if (isTerminal(to)) set.finishedAt = change.at;
  const names: Record<string, string> = { '#history': 'history' };
  const values: Record<string, unknown> = {
    ':change': [{ state: to, at: change.at, by: change.by, ...(change.detail ? { detail: change.detail } : {}) }],
  };
  const assignments = Object.entries(set).map(([name, value], index) => {
    names[`#a${index}`] = name;
    values[`:a${index}`] = value;
    return `#a${index} = :a${index}`;
  });
  from.forEach((state, index) => (values[`:from${index}`] = state));
  names['#state'] = 'state';
  return {
    TableName: tableName,
    Key: keys.release(releaseId),
    UpdateExpression: `SET ${assignments.join(', ')}, #history = list_append(#history, :change)`,
    ConditionExpression: `attribute_exists(pk) AND #state IN (${from.map((_, index) => `:from${index}`).join(', ')})`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/** An update of a board cell, creating it with empty values the first time. */
export function boardUpdate(tableName: string, product: string, repository: string, environment: string, options: { set: Record<string, unknown>; condition?: string }) {
  const names: Record<string, string> = { '#repository': 'repository', '#environment': 'environment', '#held': 'held' };
  const values: Record<string, unknown> = { ':repository': repository, ':environment': environment, ':false': false };
  const assignments = Object.entries(options.set).map(([name, value]) => {
    names[`#${name}`] = name;
    values[`:${name}`] = value;
    return `#${name} = :${name}`;
  });
  if (!('held' in options.set)) assignments.push('#held = if_not_exists(#held, :false)');
  else delete values[':false'];
  return {
    Update: {
      TableName: tableName,
      Key: keys.board(product, repository, environment),
      UpdateExpression: `SET #repository = :repository, #environment = :environment, ${assignments.join(', ')}`,
      ...(options.condition ? { ConditionExpression: options.condition } : {}),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}

/** A new release as first written: prepared, its one state change by whoever asked for it. */
export function preparedRelease({ rankFrom: _rankFrom, ...release }: NewRelease, rank?: string): Release {
  return {
    ...release,
    ...(rank === undefined ? {} : { rank }),
    state: 'prepared',
    updatedAt: release.createdAt,
    history: [
      {
        state: 'prepared',
        at: release.createdAt,
        by: release.requestedBy,
        ...(release.freezeOverride ? { detail: `freeze overridden: ${release.freezeOverride.reason}` } : {}),
      },
    ],
    approvals: [],
  };
}

/*
 * Never backwards (docs/architecture.md#never-backwards): a board cell keeps the rank of the commit running
 * there (`deployedRank`) and of the commit accepted there (`acceptedRank`); an ordinary release's start,
 * deploy and acceptance are conditional on neither being above its own rank. Rollbacks write them
 * without the condition: the one deliberate way back.
 */

/** The condition on a board cell: nothing there ranks above `:rank`. */
export const NOT_BACKWARDS = '(attribute_not_exists(deployedRank) OR deployedRank <= :rank) AND (attribute_not_exists(acceptedRank) OR acceptedRank <= :rank)';

/** Why a release of `commit` at `rank` would move the cell (as stored) back; undefined when it would not. */
export function backwardsReason(cell: Record<string, unknown> | undefined, release: { commit: string; environment: string; rank: string }): string | undefined {
  const above = (field: 'deployedRank' | 'acceptedRank') => typeof cell?.[field] === 'string' && (cell[field] as string) > release.rank;
  const newer = above('deployedRank') ? { commit: cell?.commit, what: 'runs' } : above('acceptedRank') ? { commit: cell?.acceptedCommit, what: 'was accepted' } : undefined;
  if (!newer) return undefined;
  return `${release.commit.slice(0, 7)} is older than ${String(newer.commit).slice(0, 7)}, which ${newer.what} in ${release.environment}: a release never moves an environment back; roll back to go back (cot rollback --to)`;
}

/** The rank an acceptance item gives its commit (items written before ranks existed: their first acceptance). */
export function rankOf(acceptance: Record<string, unknown> | undefined): string | undefined {
  const rank = acceptance?.rank ?? acceptance?.acceptedAt;
  return typeof rank === 'string' ? rank : undefined;
}
