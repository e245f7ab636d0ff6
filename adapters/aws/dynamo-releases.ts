import {
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { AcceptedCommit, Actor, Board, BoardCell, Failure, NewRelease, Page, Release } from '../../core/cmdb';
import type { ReleaseStore } from '../../core/cmdb-stores';
import { ConflictError, NotFoundError, ValidationError } from '../../core/errors';
import type { ReleaseState } from '../../core/release-lifecycle';
import { CMDB_SCHEMA } from './cmdb-schema';
import { decodeCursor, encodeCursor, toBoardCell, toPendingApproval, toRelease } from './cmdb-items';
import { keys } from './cmdb-keys';
import { cancellationCodes, isConditionFailure, toDomainError } from './dynamo-errors';
import { backwardsReason, boardUpdate, NOT_BACKWARDS, preparedRelease, releaseTransition } from './release-updates';
import { startExclusive } from './release-exclusive';

const MAX_PAGE = 100;



type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/**
 * Releases, the board, history and acceptances on the CMDB table (layout in `cmdb-keys.ts`). Takes its
 * client, so tests point it at DynamoDB Local.
 */
export class DynamoReleases implements ReleaseStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly product: string,
  ) {}

  async board(): Promise<Board> {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.product(this.product) },
      ConsistentRead: true,
    });
    return {
      entries: items.filter((item) => String(item.sk).startsWith(keys.boardPrefix)).map(toBoardCell),
      pendingApprovals: items.filter((item) => String(item.sk).startsWith(keys.pendingPrefix)).map(toPendingApproval),
    };
  }

  async boardCell(repository: string, environment: string): Promise<BoardCell | undefined> {
    const item = await this.get(keys.board(this.product, repository, environment));
    return item && toBoardCell(item);
  }

  async history(repository: string, environment: string, page: { limit?: number; cursor?: string } = {}): Promise<Page<Release>> {
    const limit = page.limit ?? 20;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) throw new ValidationError(`limit must be a whole number from 1 to ${MAX_PAGE}`);
    const start = page.cursor === undefined ? undefined : decodeCursor(page.cursor);
    // A cursor is the last key of a page of this same history: anything else was not made by us.
    if (page.cursor !== undefined && !(start && isHistoryKey(start, keys.historyPartition(repository, environment)))) {
      throw new ValidationError('cursor is not one this API returned');
    }
    const result = await this.newestFirst(keys.historyPartition(repository, environment), limit, start);
    return { items: (result.Items ?? []).map(toRelease), cursor: encodeCursor(result.LastEvaluatedKey) };
  }

  async createRelease(release: NewRelease): Promise<Release> {
    const item = preparedRelease(release);
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: this.tableName, Item: { ...keys.release(release.releaseId), ...item }, ConditionExpression: 'attribute_not_exists(pk)' } },
            // The board shows the newest release of each cell; ids sort by creation time.
            boardUpdate(this.tableName, this.product, release.repository, release.environment, {
              set: { releaseId: release.releaseId, state: 'prepared', updatedAt: release.createdAt },
              condition: 'attribute_not_exists(releaseId) OR releaseId < :releaseId',
            }),
          ],
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw toDomainError(error, '');
      // Either the id exists, or a newer release already owns the board cell: write the release alone.
      await this.client
        .send(new PutCommand({ TableName: this.tableName, Item: { ...keys.release(release.releaseId), ...item }, ConditionExpression: 'attribute_not_exists(pk)' }))
        .catch((cause: unknown) => {
          throw toDomainError(cause, `release ${release.releaseId} already exists`);
        });
    }
    return item;
  }

  startExclusive(release: NewRelease): Promise<{ release: Release; existing: boolean; superseded?: string }> {
    return startExclusive({ client: this.client, tableName: this.tableName, product: this.product, get: (key) => this.get(key) }, release);
  }

  async getRelease(releaseId: string): Promise<Release | undefined> {
    const item = await this.get(keys.release(releaseId));
    return item && toRelease(item);
  }

  async transitionRelease(releaseId: string, to: ReleaseState, change: Actor & { detail?: string; failure?: Failure }): Promise<Release> {
    const release = await this.mustGetRelease(releaseId);
    // Deploying makes the release a row of its environment's history, ordered by when the deploy started.
    const extra = to === 'deploying' ? { startedAt: change.at, ...keys.historyIndex(release.repository, release.environment, change.at, releaseId) } : {};
    // A release starts no deploy of a commit older than what ran there (docs/architecture.md#never-backwards).
    return this.writeTransition(release, to, change, { extra, notBackwards: to === 'deploying' });
  }

  async recordDeployment(releaseId: string, change: Actor): Promise<Release> {
    const release = await this.mustGetRelease(releaseId);
    // Whichever release deployed last runs there now, whether or not it is the cell's newest release.
    return this.writeTransition(release, 'testing', change, {
      extra: { deployedAt: change.at },
      cell: { commit: release.commit, deployedReleaseId: releaseId, ...(release.rank === undefined ? {} : { deployedRank: release.rank }) },
      notBackwards: true,
    });
  }

  async markAccepted(releaseId: string, change: Actor & { detail?: string }): Promise<Release> {
    const release = await this.mustGetRelease(releaseId);
    const { repository, environment, commit } = release;
    // Acceptances are kept, never overwritten: one item per acceptance (listed newest first), and per
    // commit who accepted it first and how often it was accepted since.
    const log = {
      Put: {
        TableName: this.tableName,
        Item: {
          ...keys.acceptance(repository, environment, change.at, releaseId),
          ...keys.acceptedIndex(repository, environment, change.at, commit),
          repository,
          environment,
          commit,
          releaseId,
          acceptedAt: change.at,
          acceptedBy: change.by,
          ...(release.artifactVersion ? { artifactVersion: release.artifactVersion } : {}),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
    // The commit's item also carries the artifact of its newest acceptance: what the next environment deploys.
    const artifact = release.artifactVersion ? { set: ', artifactVersion = :artifactVersion', values: { ':artifactVersion': release.artifactVersion } } : { set: '', values: {} };
    const firstOfCommit = {
      Update: {
        TableName: this.tableName,
        Key: keys.accepted(repository, environment, commit),
        UpdateExpression:
          `SET repository = :repository, environment = :environment, #commit = :commit, releaseId = if_not_exists(releaseId, :releaseId), acceptedAt = if_not_exists(acceptedAt, :at), acceptedBy = if_not_exists(acceptedBy, :by), #rank = if_not_exists(#rank, :rank), lastAcceptedAt = :at${artifact.set} ADD acceptances :one REMOVE gsi1pk, gsi1sk`,
        ExpressionAttributeNames: { '#commit': 'commit', '#rank': 'rank' },
        // The commit's rank: the release's (from the environment below), or, where it first passes the
        // chain (a continuous environment), the time of this first acceptance.
        ExpressionAttributeValues: { ':repository': repository, ':environment': environment, ':commit': commit, ':releaseId': releaseId, ':at': change.at, ':by': change.by, ':one': 1, ':rank': release.rank ?? change.at, ...artifact.values },
      },
    };
    const acceptance = [log, firstOfCommit];
    return this.writeTransition(release, 'accepted', change, {
      cell: { acceptedCommit: commit, ...(release.rank === undefined ? {} : { acceptedRank: release.rank }) },
      items: acceptance,
      notBackwards: true,
    });
  }

  async isAccepted(repository: string, environment: string, commit: string): Promise<boolean> {
    return (await this.get(keys.accepted(repository, environment, commit))) !== undefined;
  }

  async acceptedArtifact(repository: string, environment: string, commit: string): Promise<string | undefined> {
    const item = await this.get(keys.accepted(repository, environment, commit));
    return typeof item?.artifactVersion === 'string' ? item.artifactVersion : undefined;
  }

  async recordArtifact(releaseId: string, artifactVersion: string): Promise<void> {
    // Set once: a retried step records the same version; another one is a conflict, never a silent swap.
    await this.client
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.release(releaseId),
          UpdateExpression: 'SET artifactVersion = :version',
          ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(artifactVersion) OR artifactVersion = :version)',
          ExpressionAttributeValues: { ':version': artifactVersion },
        }),
      )
      .catch((error: unknown) => {
        throw toDomainError(error, `release ${releaseId} does not exist or deploys another artifact version`);
      });
  }

  async acceptedCommits(repository: string, environment: string, limit = 20): Promise<AcceptedCommit[]> {
    const accepted: AcceptedCommit[] = [];
    for await (const acceptance of this.acceptances(repository, environment)) {
      accepted.push(acceptance);
      if (accepted.length >= limit) break;
    }
    return accepted;
  }

  async *acceptances(repository: string, environment: string): AsyncGenerator<AcceptedCommit> {
    let start: Record<string, unknown> | undefined;
    do {
      const result = await this.newestFirst(keys.acceptedPartition(repository, environment), 50, start);
      for (const item of result.Items ?? []) {
        yield {
          commit: String(item.commit),
          releaseId: String(item.releaseId),
          acceptedAt: String(item.acceptedAt),
          ...(typeof item.artifactVersion === 'string' ? { artifactVersion: item.artifactVersion } : {}),
        };
      }
      start = result.LastEvaluatedKey;
    } while (start);
  }

  async setHeld(repository: string, environment: string, held: boolean, at: string): Promise<void> {
    const update = boardUpdate(this.tableName, this.product, repository, environment, { set: { held, updatedAt: at } });
    await this.client.send(new UpdateCommand(update.Update)).catch((error: unknown) => {
      throw toDomainError(error, '');
    });
  }

  /**
   * Moves a release and its board cell in one transaction, so that nobody ever reads a cell that
   * contradicts its release (see docs/architecture.md#the-board). The cell shows the state of its newest
   * release (`releaseId`, which only moves forward: see `createRelease`); an older release's move leaves
   * that state alone but still writes the `cell` fields it owns (the commit it deployed, the commit it
   * got accepted). Which of the two the cell is decides the board update's condition; a lost guess is
   * retried with the other, and since a cell's release only ever gets newer, two tries settle it.
   */
  private async writeTransition(
    release: Release,
    to: ReleaseState,
    change: Actor & { detail?: string; failure?: Failure },
    options: { extra?: Record<string, unknown>; cell?: Record<string, unknown>; items?: TransactItem[]; notBackwards?: boolean } = {},
  ): Promise<Release> {
    const { releaseId, repository, environment } = release;
    const transition = { Update: releaseTransition(this.tableName, releaseId, to, change, options.extra) };
    const cell = options.cell ?? {};
    // Only an ordinary release is held to the environment's order; a rollback is the deliberate way back.
    const rank = options.notBackwards && release.kind === 'release' ? release.rank : undefined;
    const guard = rank === undefined ? '' : ` AND ${NOT_BACKWARDS}`;
    let owner = true;
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const board = owner
        ? boardUpdate(this.tableName, this.product, repository, environment, { set: { ...cell, state: to, updatedAt: change.at }, condition: `releaseId = :releaseId${guard}` })
        : Object.keys(cell).length > 0 || rank !== undefined
          ? boardUpdate(this.tableName, this.product, repository, environment, { set: { ...cell, updatedAt: change.at }, condition: `(attribute_not_exists(releaseId) OR releaseId <> :releaseId)${guard}` })
          : undefined;
      if (board) board.Update.ExpressionAttributeValues[':releaseId'] = releaseId;
      if (board && rank !== undefined) board.Update.ExpressionAttributeValues[':rank'] = rank;
      const items: TransactItem[] = [transition, ...(options.items ?? []), ...(board ? [board] : [])];
      try {
        await this.client.send(new TransactWriteCommand({ TransactItems: items }));
        return await this.mustGetRelease(releaseId);
      } catch (error) {
        const reasons = cancellationCodes(error);
        const boardLost = board !== undefined && reasons[items.length - 1] === 'ConditionalCheckFailed';
        const othersHeld = reasons.slice(0, board ? -1 : undefined).every((code) => code === undefined || code === 'None');
        if (boardLost && othersHeld) {
          const backwards = rank === undefined ? undefined : backwardsReason(await this.get(keys.board(this.product, repository, environment)), { ...release, rank });
          if (backwards) throw new ConflictError(backwards, { cause: error });
          owner = !owner;
          continue;
        }
        throw await this.transitionConflict(error, releaseId, to);
      }
    }
    throw new ConflictError(`release ${releaseId}: its board cell kept changing; try again`);
  }

  private async transitionConflict(error: unknown, releaseId: string, to: ReleaseState): Promise<Error> {
    if (!isConditionFailure(error)) return toDomainError(error, '');
    const current = await this.getRelease(releaseId);
    if (!current) return new NotFoundError(`release ${releaseId} does not exist`);
    return new ConflictError(`release ${releaseId} is ${current.state}: it cannot become ${to}`, { cause: error });
  }

  private async mustGetRelease(releaseId: string): Promise<Release> {
    const release = await this.getRelease(releaseId);
    if (!release) throw new NotFoundError(`release ${releaseId} does not exist`);
    return release;
  }

  /** One page of an index partition, newest first. */
  private newestFirst(partition: string, limit: number, start: Record<string, unknown> | undefined) {
    return this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: CMDB_SCHEMA.index.name,
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': partition },
        ScanIndexForward: false,
        Limit: limit,
        ExclusiveStartKey: start,
      }),
    );
  }

  private async get(key: { pk: string; sk: string }): Promise<Record<string, unknown> | undefined> {
    try {
      const result = await this.client.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
      return result.Item;
    } catch (error) {
      throw toDomainError(error, '');
    }
  }

  private async queryAll(input: Omit<QueryCommandInput, 'TableName'>): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const result = await this.client.send(new QueryCommand({ ...input, TableName: this.tableName, ExclusiveStartKey: start }));
      items.push(...(result.Items ?? []));
      start = result.LastEvaluatedKey;
    } while (start);
    return items;
  }
}

function isHistoryKey(key: Record<string, unknown>, partition: string): boolean {
  const names = Object.keys(key).sort().join(',');
  return (
    names === 'gsi1pk,gsi1sk,pk,sk' &&
    key.gsi1pk === partition &&
    key.sk === 'RELEASE' &&
    /^RELEASE#r-[0-9a-z]{12}[0-9a-f]{8}$/.test(String(key.pk)) &&
    /^\d{4}-\d\d-\d\dT[\d:.]+Z#r-[0-9a-z]{20}$/.test(String(key.gsi1sk)) &&
    String(key.gsi1sk).length < 100
  );
}
