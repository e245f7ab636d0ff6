import { TransactWriteCommand, type DynamoDBDocumentClient, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { NewRelease, Release } from '../../core/cmdb';
import { ConflictError } from '../../core/errors';
import { isTerminal, type ReleaseState } from '../../core/release-lifecycle';
import { toRelease } from './cmdb-items';
import { keys } from './cmdb-keys';
import { cancellationCodes, isConditionFailure, toDomainError } from './dynamo-errors';
import { backwardsReason, boardUpdate, NOT_BACKWARDS, preparedRelease, rankOf, releaseTransition } from './release-updates';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** An active release in these states gives way to a new request; deploying or testing, it does not. */
const SUPERSEDABLE: readonly ReleaseState[] = ['prepared', 'awaiting_approval', 'awaiting_acceptance'];

const short = (commit: string) => commit.slice(0, 7);

/** What `startExclusive` works with: the table, and a strongly consistent read of one item. */
export interface ExclusiveContext {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly product: string;
  readonly get: (key: { pk: string; sk: string }) => Promise<Record<string, unknown> | undefined>;
}

/**
 * `ReleaseStore.startExclusive` on DynamoDB (docs/architecture.md#one-release-at-a-time): reads the cell's
 * active release, then writes the new release, the cell and (if it gives way) the superseded release in
 * one transaction conditioned on what it read; a lost condition reads again.
 */
export async function startExclusive(ctx: ExclusiveContext, release: NewRelease): Promise<{ release: Release; existing: boolean; superseded?: string }> {
  const getReleaseItem = async (releaseId: string) => {
    const item = await ctx.get(keys.release(releaseId));
    return item && toRelease(item);
  };
  const rank = await releaseRank(ctx, release);
  const item = preparedRelease(release, rank);
  // Only an ordinary release is held to the environment's order; a rollback is the way back.
  const guarded = release.kind === 'release' && rank !== undefined ? rank : undefined;
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const cell = await ctx.get(keys.board(ctx.product, release.repository, release.environment));
    const activeId = typeof cell?.activeReleaseId === 'string' ? cell.activeReleaseId : undefined;
    const active = activeId ? await getReleaseItem(activeId) : undefined;
    const live = active && !isTerminal(active.state) ? active : undefined;
    // A member of a promotion never gives way to a single release (docs/architecture.md#promotions).
    if (live?.promotionId) {
      throw new ConflictError(`${release.repository} is part of promotion ${live.promotionId}, ${live.state} in ${release.environment}: one release at a time; wait for the promotion to end`);
    }
    if (live && live.commit === release.commit && live.kind === release.kind) return { release: live, existing: true };
    const backwards = guarded === undefined ? undefined : backwardsReason(cell, { ...release, rank: guarded });
    if (backwards) throw new ConflictError(backwards);
    if (live && !SUPERSEDABLE.includes(live.state)) {
      throw new ConflictError(`release ${live.releaseId} of ${short(live.commit)} is ${live.state} in ${release.environment}: one release at a time; try again once it has been tested`);
    }
    const items: TransactItem[] = [
      { Put: { TableName: ctx.tableName, Item: { ...keys.release(release.releaseId), ...item }, ConditionExpression: 'attribute_not_exists(pk)' } },
    ];
    if (live) {
      // Superseded in the same write that makes the new one active: it can never be accepted after this.
      const supersede = releaseTransition(ctx.tableName, live.releaseId, 'superseded', { by: release.requestedBy, at: release.createdAt, detail: `superseded by release ${release.releaseId}` });
      supersede.ConditionExpression = '#state = :observed';
      supersede.ExpressionAttributeValues[':observed'] = live.state;
      for (const name of Object.keys(supersede.ExpressionAttributeValues)) if (name.startsWith(':from')) delete supersede.ExpressionAttributeValues[name];
      items.push({ Update: supersede });
    }
    const board = boardUpdate(ctx.tableName, ctx.product, release.repository, release.environment, {
      set: { releaseId: release.releaseId, activeReleaseId: release.releaseId, state: 'prepared', updatedAt: release.createdAt },
      // The active release is the one read above, and no newer release owns the cell.
      condition: `(${activeId ? 'activeReleaseId = :observedActive' : 'attribute_not_exists(activeReleaseId)'}) AND (attribute_not_exists(releaseId) OR releaseId < :releaseId)${guarded === undefined ? '' : ` AND ${NOT_BACKWARDS}`}`,
    });
    if (activeId) board.Update.ExpressionAttributeValues[':observedActive'] = activeId;
    if (guarded !== undefined) board.Update.ExpressionAttributeValues[':rank'] = guarded;
    items.push(board);
    try {
      await ctx.client.send(new TransactWriteCommand({ TransactItems: items }));
      return { release: item, existing: false, ...(live ? { superseded: live.releaseId } : {}) };
    } catch (error) {
      // Somebody else changed the cell or its active release first (or wrote it at the same moment): look again.
      if (!isConditionFailure(error) && !cancellationCodes(error).includes('TransactionConflict')) throw toDomainError(error, '');
    }
  }
  throw new ConflictError(`${release.repository} in ${release.environment} kept changing; try again`);
}

/**
 * The rank of a new release's commit (docs/architecture.md#never-backwards): from its acceptance in
 * `rankFrom` (the environment below, for a release) or, for a rollback, in its own environment.
 */
export async function releaseRank(ctx: Pick<ExclusiveContext, 'get'>, release: NewRelease): Promise<string | undefined> {
  const from = release.rankFrom ?? (release.kind === 'rollback' ? release.environment : undefined);
  return from === undefined ? undefined : rankOf(await ctx.get(keys.accepted(release.repository, from, release.commit)));
}
