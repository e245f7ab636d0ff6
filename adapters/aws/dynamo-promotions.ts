import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Actor, Failure, Release } from '../../core/cmdb';
import { ConflictError, LeaseBusyError, NotFoundError } from '../../core/errors';
import { memberRecord, MAX_PROMOTION_MEMBERS, promotionRecord, samePromotion, type AcceptedSet, type LeaseClaim, type NewPromotion, type PromotionStore } from '../../core/promotions';
import { isTerminal, type ReleaseState } from '../../core/release-lifecycle';
import { toRelease } from './cmdb-items';
import { keys } from './cmdb-keys';
import { cancellationCodes, guarded, isConditionFailure, toDomainError } from './dynamo-errors';
import { releaseRank } from './release-exclusive';
import { backwardsReason, boardUpdate, NOT_BACKWARDS, preparedRelease, releaseTransition } from './release-updates';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];
const short = (commit: string) => commit.slice(0, 7);

/**
 * Promotions on the CMDB table (docs/architecture.md#promotions). Exclusivity is the cells' own: a
 * promotion makes each member release its cell's active release in the one transaction that writes it,
 * conditioned on the active releases it read, so a promotion and a single-repository release can never
 * both hold a cell; the environment's active promotion (`PACTIVE#<env>`) makes an equal request idempotent.
 */
export class DynamoPromotions implements PromotionStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly product: string,
  ) {}

  async startPromotion(promotion: NewPromotion): Promise<{ release: Release; existing: boolean }> {
    if (promotion.members.length === 0) throw new ConflictError(`nothing to promote into ${promotion.environment}`);
    if (promotion.members.length > MAX_PROMOTION_MEMBERS) throw new ConflictError(`a promotion takes at most ${MAX_PROMOTION_MEMBERS} repositories; name fewer with --only`);
    const { environment } = promotion;
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const activeItem = await this.get(keys.activePromotion(this.product, environment));
      const activeId = typeof activeItem?.releaseId === 'string' ? activeItem.releaseId : undefined;
      const active = activeId ? await this.release(activeId) : undefined;
      if (active && !isTerminal(active.state)) {
        if (samePromotion(active, promotion)) return { release: active, existing: true };
        throw new ConflictError(`promotion ${active.releaseId} is ${active.state} in ${environment}: one promotion at a time; decide or reject it first`);
      }
      const items: TransactItem[] = [
        { Put: { TableName: this.tableName, Item: { ...keys.release(promotion.releaseId), ...preparedRelease(promotionRecord(promotion)) }, ConditionExpression: 'attribute_not_exists(pk)' } },
        {
          Put: {
            TableName: this.tableName,
            Item: { ...keys.activePromotion(this.product, environment), environment, releaseId: promotion.releaseId },
            ConditionExpression: activeId ? 'releaseId = :observed' : 'attribute_not_exists(pk)',
            ...(activeId ? { ExpressionAttributeValues: { ':observed': activeId } } : {}),
          },
        },
      ];
      for (const member of promotion.members) {
        const cell = await this.get(keys.board(this.product, member.repository, environment));
        const cellActive = typeof cell?.activeReleaseId === 'string' ? cell.activeReleaseId : undefined;
        const live = cellActive ? await this.release(cellActive) : undefined;
        if (live && !isTerminal(live.state)) {
          throw new ConflictError(`release ${live.releaseId} of ${member.repository} ${short(live.commit)} is ${live.state} in ${environment}: one release at a time; wait for it to end (or reject it) and promote again`);
        }
        // Ranked as a release of one repository is; a member of a promotion (not of a rollback) never takes
        // its cell back (docs/architecture.md#never-backwards).
        const record = memberRecord(promotion, member);
        const rank = await releaseRank({ get: (key) => this.get(key) }, record);
        const guardedRank = promotion.kind === 'release' ? rank : undefined;
        const backwards = guardedRank === undefined ? undefined : backwardsReason(cell, { ...record, rank: guardedRank });
        if (backwards) throw new ConflictError(`${member.repository}: ${backwards}; or leave ${member.repository} out (--only)`);
        items.push({ Put: { TableName: this.tableName, Item: { ...keys.release(member.releaseId), ...preparedRelease(record, rank) }, ConditionExpression: 'attribute_not_exists(pk)' } });
        const board = boardUpdate(this.tableName, this.product, member.repository, environment, {
          set: { releaseId: member.releaseId, activeReleaseId: member.releaseId, state: 'prepared', updatedAt: promotion.createdAt },
          condition: `(${cellActive ? 'activeReleaseId = :observedActive' : 'attribute_not_exists(activeReleaseId)'}) AND (attribute_not_exists(releaseId) OR releaseId < :releaseId)${guardedRank === undefined ? '' : ` AND ${NOT_BACKWARDS}`}`,
        });
        board.Update.ExpressionAttributeValues[':releaseId'] = member.releaseId;
        if (cellActive) board.Update.ExpressionAttributeValues[':observedActive'] = cellActive;
        if (guardedRank !== undefined) board.Update.ExpressionAttributeValues[':rank'] = guardedRank;
        items.push(board);
      }
      try {
        await this.client.send(new TransactWriteCommand({ TransactItems: items }));
        return { release: await this.mustGet(promotion.releaseId), existing: false };
      } catch (error) {
        // A cell or the environment's promotion changed since it was read: read again.
        if (!isConditionFailure(error) && !cancellationCodes(error).includes('TransactionConflict')) throw toDomainError(error, '');
      }
    }
    throw new ConflictError(`the repositories of ${environment} kept changing; try again`);
  }

  async transitionPromotion(releaseId: string, to: ReleaseState, change: Actor & { detail?: string; failure?: Failure }): Promise<Release> {
    try {
      await this.client.send(new UpdateCommand(releaseTransition(this.tableName, releaseId, to, change)));
    } catch (error) {
      if (!isConditionFailure(error)) throw toDomainError(error, '');
      const current = await this.release(releaseId);
      if (!current) throw new NotFoundError(`promotion ${releaseId} does not exist`);
      throw new ConflictError(`promotion ${releaseId} is ${current.state}: it cannot become ${to}`, { cause: error });
    }
    return this.mustGet(releaseId);
  }

  async claimLeases(claims: readonly LeaseClaim[], ttlSeconds: number, now: Date): Promise<void> {
    const seconds = Math.floor(now.getTime() / 1000);
    const items: TransactItem[] = claims.map(({ repository, environment, holder }) => ({
      Put: {
        TableName: this.tableName,
        Item: { ...keys.lease(repository, environment), holder, acquiredAt: now.toISOString(), expiresAt: seconds + ttlSeconds, ttl: seconds + ttlSeconds + 86_400 },
        // As `LeaseStore.acquireLease`: free, expired (its holder crashed) or already ours.
        ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now OR holder = :holder',
        ExpressionAttributeValues: { ':now': seconds, ':holder': holder },
      },
    }));
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      const codes = cancellationCodes(error);
      if (!isConditionFailure(error) && !codes.includes('TransactionConflict')) throw toDomainError(error, '');
      const busy = claims.filter((_, index) => codes[index] === 'ConditionalCheckFailed').map((claim) => claim.repository);
      throw new LeaseBusyError(`${busy.length > 0 ? busy.join(', ') : 'a member'} in ${claims[0]?.environment ?? ''} is being deployed by another run`, { cause: error });
    }
  }

  async recordAcceptedSet(set: AcceptedSet): Promise<void> {
    const item = { environment: set.environment, releaseId: set.releaseId, kind: set.kind, acceptedAt: set.acceptedAt, members: set.members };
    const log = { TableName: this.tableName, Item: { ...keys.acceptedSetLog(this.product, set.environment, set.acceptedAt, set.releaseId), ...item } };
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            // The board's row moves only forward (by time, then release id): a repeat of the set it holds, or
            // a late write of an older set, leaves it alone.
            {
              Put: {
                TableName: this.tableName,
                Item: { ...keys.acceptedSet(this.product, set.environment), ...item },
                ConditionExpression: 'attribute_not_exists(pk) OR acceptedAt < :at OR (acceptedAt = :at AND releaseId < :releaseId)',
                ExpressionAttributeValues: { ':at': set.acceptedAt, ':releaseId': set.releaseId },
              },
            },
            { Put: log },
          ],
        }),
      );
    } catch (error) {
      if (cancellationCodes(error)[0] !== 'ConditionalCheckFailed') throw toDomainError(error, '');
      // Still logged, once: the log item of a repeat is there already.
      try {
        await this.client.send(new PutCommand({ ...log, ConditionExpression: 'attribute_not_exists(pk)' }));
      } catch (logError) {
        if (!isConditionFailure(logError)) throw toDomainError(logError, '');
      }
    }
  }

  async acceptedSets(): Promise<AcceptedSet[]> {
    const result = await guarded(
      this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': keys.product(this.product), ':prefix': keys.acceptedSetPrefix },
          ConsistentRead: true,
        }),
      ),
    );
    return (result.Items ?? []).map(toAcceptedSet);
  }

  async *setHistory(environment: string): AsyncGenerator<AcceptedSet> {
    let start: Record<string, unknown> | undefined;
    do {
      const result = await guarded(
        this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': keys.acceptedSetLogPartition(this.product, environment) },
            ScanIndexForward: false,
            Limit: 25,
            ExclusiveStartKey: start,
          }),
        ),
      );
      for (const item of result.Items ?? []) yield toAcceptedSet(item);
      start = result.LastEvaluatedKey;
    } while (start);
  }

  private async release(releaseId: string): Promise<Release | undefined> {
    const item = await this.get(keys.release(releaseId));
    return item && toRelease(item);
  }

  private async mustGet(releaseId: string): Promise<Release> {
    const release = await this.release(releaseId);
    if (!release) throw new NotFoundError(`promotion ${releaseId} does not exist`);
    return release;
  }

  private async get(key: { pk: string; sk: string }): Promise<Record<string, unknown> | undefined> {
    return (await guarded(this.client.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true })))).Item;
  }
}

function toAcceptedSet(item: Record<string, unknown>): AcceptedSet {
  return {
    environment: String(item.environment),
    releaseId: String(item.releaseId),
    kind: item.kind === 'rollback' ? 'rollback' : 'release',
    acceptedAt: String(item.acceptedAt),
    members: (item.members as AcceptedSet['members'] | undefined) ?? [],
  };
}
