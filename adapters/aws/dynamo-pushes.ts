import {
  BatchGetCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { CommitInfo, PushRecord } from '../../core/cmdb';
import type { DeliveryClaim, PushStore } from '../../core/cmdb-stores';
import { compareToTip, historyOf, type KnownCommit } from '../../core/commit-order';
import { ConflictError, TransientError, ValidationError } from '../../core/errors';
import { keys, type Key } from './cmdb-keys';
import { claimPut } from './dynamo-deliveries';
import { cancellationCodes, guarded, isConditionFailure, toDomainError } from './dynamo-errors';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** How often, and after how long, a push recorded before its parent looks again whether it is the head. */
const SECOND_LOOKS = 2;
const SECOND_LOOK_MS = 30;

const FULL_SHA = /^[0-9a-f]{40}$/;
const SHORT_SHA = /^[0-9a-f]{7,39}$/;
/** Pauses before asking again for the keys a BatchGetItem left unprocessed. */
const UNPROCESSED_RETRY_MS = [25, 50, 100, 200, 400] as const;
/** TransactWriteItems' limit. */
const MAX_TRANSACTION_ITEMS = 100;

/** What the CMDB knows of each repository's commits, branches and tags. */
export class DynamoPushes implements PushStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async recordPush(push: PushRecord): Promise<{ head: boolean; reason: string }> {
    const recorded = await this.record(push);
    if (!recorded.claimed) throw new Error('a push recorded without a claim is never a duplicate');
    return { head: recorded.head, reason: recorded.reason };
  }

  claimAndRecordPush(claim: DeliveryClaim, push: PushRecord): Promise<{ claimed: false } | { claimed: true; head: boolean; reason: string }> {
    return this.record(push, claim);
  }

  /**
   * Reads the branch head and what is known of the pushed commit and of the head's (in one round trip when
   * the head is the commit the push says was before it), compares them, then
   * writes everything in one request: the delivery's claim (when given), what the push tells of its commit,
   * and the head when it moves, by a conditional write on the head it was compared with. Two pushes
   * recorded at once cannot both win: the loser's whole transaction is cancelled, and it compares again.
   */
  private async record(push: PushRecord, claim?: DeliveryClaim): Promise<{ claimed: false } | { claimed: true; head: boolean; reason: string }> {
    const parent = push.before && !/^0+$/.test(push.before) ? push.before : undefined;
    let written = false;
    let looks = 0;
    for (let attempt = 0; attempt < 5 + SECOND_LOOKS; attempt += 1) {
      // The head and, at the same time, the commits it most likely is: this one or the one before it.
      const likely = [...new Set([push.commit, ...(push.before && !/^0+$/.test(push.before) ? [push.before] : [])])];
      const [tip, read] = await Promise.all([this.get(keys.branch(push.repository, push.branch)), this.lookUp(push.repository, likely)]);
      const tipCommit = tip ? String(tip.commit) : undefined;
      const tipRead = tipCommit && !likely.includes(tipCommit) ? await this.lookUp(push.repository, [tipCommit]) : undefined;
      const found = [...read.commits, ...(tipRead?.commits ?? [])];
      const listed = new Map([...read.listed, ...(tipRead?.listed ?? [])]);
      const index = read.index ?? (await this.startIndex(push.repository));
      // Who lists a commit is known only where the repository's index is complete (see `listedUpdate`).
      const withListed = (commit: KnownCommit): KnownCommit => (index.complete ? { ...commit, listed: listed.get(commit.commit) ?? false } : commit);
      const incoming = withListed(withPush(found.find((known) => known.commit === push.commit), push));
      const known = tipCommit ? withListed(found.find((commit) => commit.commit === tipCommit) ?? { commit: tipCommit, behind: [] }) : undefined;
      const decision = known ? await compareToTip(incoming, known, (commits) => this.known(push.repository, commits)) : { order: 'newer' as const, reason: 'the first push of the branch' };
      const move = decision.order === 'newer' ? { seq: Number(tip?.seq ?? 0) + 1, reason: tipCommit ? `newer than ${tipCommit.slice(0, 12)}` : decision.reason } : undefined;
      if (written && !move) {
        // Recorded, but not the head because its parent was unknown: the parent's push may be landing this
        // very moment (a burst of deliveries). Once it has, this push is newer than it; look again shortly.
        if (parent && !found.some((commit) => commit.commit === parent) && looks < SECOND_LOOKS) {
          looks += 1;
          await new Promise((resolve) => setTimeout(resolve, SECOND_LOOK_MS));
          continue;
        }
        return { claimed: true, head: decision.order !== 'older', reason: decision.reason };
      }
      const items: TransactItem[] = [
        ...(claim && !written ? [{ Put: claimPut(this.tableName, claim) }] : []),
        ...(written ? [] : [{ Update: this.commitUpdate(push) }]),
        ...(written || !index.complete ? [] : historyOf(push).map((listedCommit) => ({ Update: this.listedUpdate(push.repository, listedCommit, push.commit) }))),
        ...(index.new ? [{ Put: { TableName: this.tableName, Item: { ...keys.listedIndex(push.repository), complete: index.complete, since: push.pushedAt }, ConditionExpression: 'attribute_not_exists(pk)' } }] : []),
        ...(move
          ? [{
              Put: {
                TableName: this.tableName,
                Item: { ...keys.branch(push.repository, push.branch), commit: push.commit, message: push.message, author: push.author, pushedAt: push.pushedAt, branch: push.branch, seq: move.seq },
                ConditionExpression: tip ? '#commit = :tip' : 'attribute_not_exists(pk)',
                ...(tip ? { ExpressionAttributeNames: { '#commit': 'commit' }, ExpressionAttributeValues: { ':tip': tip.commit } } : {}),
              },
            }]
          : []),
      ];
      try {
        if (items.length > MAX_TRANSACTION_ITEMS) throw new ValidationError(`a push listing ${historyOf(push).length} commits is more than the CMDB can record at once (${MAX_TRANSACTION_ITEMS - 4} at most)`);
        if (items.length > 1) await this.client.send(new TransactWriteCommand({ TransactItems: items }));
        else if (written) await this.client.send(new PutCommand(items[0]!.Put!));
        else await this.client.send(new UpdateCommand(this.commitUpdate(push)));
        written = true;
        if (move || !parent || found.some((commit) => commit.commit === parent)) return { claimed: true, head: decision.order !== 'older', reason: move?.reason ?? decision.reason };
      } catch (error) {
        const codes = cancellationCodes(error);
        if (claim && codes[0] === 'ConditionalCheckFailed') return { claimed: false };
        // A twin transaction on the same items at the same moment (a redelivery racing its original):
        // once it is done, the claim or the head tells what became of this one.
        if (codes.includes('TransactionConflict')) await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20));
        // Otherwise only the head's condition is left to fail: it moved since it was read.
        else if (!isConditionFailure(error)) throw toDomainError(error, '');
      }
    }
    throw new TransientError(`the head of ${push.repository} ${push.branch} kept moving; try again`);
  }

  /**
   * The reverse of `behind`: `commit` lists `listedCommit` in its history. Written with the push that says
   * so, in the same transaction, so that any commit some recorded commit lists is known to be listed: a
   * search for an unlisted commit stops at its first step (`KnownCommit.listed`). Kept for repositories
   * whose every commit was recorded with it (the repository's index, `startIndex`).
   */
  private listedUpdate(repository: string, listedCommit: string, commit: string): NonNullable<TransactItem['Update']> {
    return {
      TableName: this.tableName,
      Key: keys.listed(repository, listedCommit),
      UpdateExpression: 'ADD listedBy :commit',
      ExpressionAttributeValues: { ':commit': new Set([commit]) },
    };
  }

  /**
   * The repository has no index yet: complete when it has no recorded commit either (its first push, or
   * one since this CMDB keeps the index), else partial: commits recorded before it have no reverse entries,
   * so searches there always walk. The index is written with the push that found it missing.
   */
  private async startIndex(repository: string): Promise<{ complete: boolean; new: true }> {
    const any = await guarded(
      this.client.send(new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.repository(repository), ':prefix': keys.commitPrefix },
        Limit: 1,
        ConsistentRead: true,
      })),
    );
    return { complete: (any.Items ?? []).length === 0, new: true };
  }

  /**
   * What is known of these commits, whether recorded commits list them, and the repository's index, in
   * one round trip (a BatchGetItem of at most 2 x 2 + 1 keys).
   */
  private async lookUp(repository: string, commits: readonly string[]): Promise<{ commits: KnownCommit[]; listed: Map<string, boolean>; index?: { complete: boolean; new?: false } }> {
    const items = await this.batchGet(repository, [...commits.map((commit) => keys.commit(repository, commit)), ...commits.map((commit) => keys.listed(repository, commit)), keys.listedIndex(repository)]);
    const found: KnownCommit[] = [];
    const listed = new Map<string, boolean>();
    let index: { complete: boolean } | undefined;
    for (const item of items) {
      const sk = String(item.sk);
      if (sk.startsWith(keys.commitPrefix)) found.push(toKnownCommit(item));
      else if (sk.startsWith(keys.listedPrefix)) listed.set(sk.slice(keys.listedPrefix.length), true);
      else index = { complete: item.complete === true };
    }
    return { commits: found, listed, ...(index ? { index } : {}) };
  }

  /** What one push tells of its commit (kept across pushes: history only grows), as one Update. */
  private commitUpdate(push: PushRecord): NonNullable<TransactItem['Update']> {
    const behind = historyOf(push);
    const set = ['#commit = :commit', 'message = if_not_exists(message, :message)', 'author = if_not_exists(author, :author)', 'pushedAt = if_not_exists(pushedAt, :pushedAt)'];
    const values: Record<string, unknown> = { ':commit': push.commit, ':message': push.message, ':author': push.author, ':pushedAt': push.pushedAt };
    if (push.hostPushedAt) {
      set.push('hostPushedAt = if_not_exists(hostPushedAt, :hostPushedAt)');
      values[':hostPushedAt'] = push.hostPushedAt;
    }
    if (push.forced) {
      set.push('forced = :forced');
      values[':forced'] = true;
    }
    if (behind.length > 0) values[':behind'] = new Set(behind);
    return {
      TableName: this.tableName,
      Key: keys.commit(push.repository, push.commit),
      // The first push of a commit gives its message and time; every push adds to its known history.
      UpdateExpression: `SET ${set.join(', ')}${behind.length > 0 ? ' ADD behind :behind' : ''}`,
      ExpressionAttributeNames: { '#commit': 'commit' },
      ExpressionAttributeValues: values,
    };
  }

  /** What is known of these commits (those never pushed are left out). */
  private async known(repository: string, commits: readonly string[]): Promise<KnownCommit[]> {
    return (await this.batchGet(repository, commits.map((commit) => keys.commit(repository, commit)))).map(toKnownCommit);
  }

  /**
   * Items by key, read 100 at a time (BatchGetItem's limit). Keys DynamoDB leaves unprocessed (throttling)
   * are asked again after a short, growing pause, a bounded number of times; then the push fails as
   * transient and its delivery is retried.
   */
  private async batchGet(repository: string, wanted: readonly Key[]): Promise<Array<Record<string, unknown>>> {
    const found: Array<Record<string, unknown>> = [];
    for (let index = 0; index < wanted.length; index += 100) {
      let keysLeft: Array<Record<string, unknown>> | undefined = wanted.slice(index, index + 100).map((key) => ({ ...key }));
      for (let attempt = 0; keysLeft && keysLeft.length > 0; attempt += 1) {
        const pause = UNPROCESSED_RETRY_MS[attempt - 1];
        if (attempt > 0 && pause === undefined) throw new TransientError(`the CMDB left ${keysLeft.length} items of ${repository} unread; try again`);
        if (pause !== undefined) await new Promise((resolve) => setTimeout(resolve, pause));
        const result: BatchGetCommandOutput = await guarded(this.client.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keysLeft, ConsistentRead: true } } })));
        found.push(...(result.Responses?.[this.tableName] ?? []));
        keysLeft = result.UnprocessedKeys?.[this.tableName]?.Keys;
      }
    }
    return found;
  }

  async branchHead(repository: string, branch: string): Promise<CommitInfo | undefined> {
    return this.commitInfo(await this.get(keys.branch(repository, branch)));
  }

  async getCommit(repository: string, commit: string): Promise<CommitInfo | undefined> {
    return this.commitInfo(await this.get(keys.commit(repository, commit)));
  }

  async recordTag(repository: string, tag: string, commit: string, at: string): Promise<void> {
    await guarded(this.client.send(new PutCommand({ TableName: this.tableName, Item: { ...keys.tag(repository, tag), tag, commit, taggedAt: at } })));
  }

  async resolveRef(repository: string, ref: string): Promise<string | undefined> {
    // `tag:<name>` names a tag and nothing else: how to say which one a person meant.
    if (ref.startsWith('tag:')) {
      const tagged = await this.get(keys.tag(repository, ref.slice(4)));
      return tagged ? String(tagged.commit) : undefined;
    }
    const lower = ref.toLowerCase();
    if (FULL_SHA.test(lower) && (await this.get(keys.commit(repository, lower)))) return lower;
    const tag = await this.get(keys.tag(repository, ref));
    const byTag = tag ? String(tag.commit) : undefined;
    if (!SHORT_SHA.test(lower)) return byTag;
    const result = await guarded(
      this.client.send(new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.repository(repository), ':prefix': keys.commit(repository, lower).sk },
        Limit: 2,
        ConsistentRead: true,
      })),
    );
    const matches = (result.Items ?? []).map((item) => String(item.commit));
    if (matches.length > 1) throw new ValidationError(`short SHA ${ref} is ambiguous in ${repository}: give more characters`);
    const bySha = matches[0];
    // A tag named like a short SHA never silently wins over the commit, nor the commit over the tag.
    if (byTag && bySha && byTag !== bySha) {
      throw new ConflictError(`${ref} is ambiguous in ${repository}: tag ${ref} is ${byTag.slice(0, 12)}, commit ${bySha.slice(0, 12)} starts with it; say tag:${ref} or give a longer SHA`);
    }
    return byTag ?? bySha;
  }

  private commitInfo(item: Record<string, unknown> | undefined): CommitInfo | undefined {
    if (!item) return undefined;
    return { commit: String(item.commit), message: String(item.message ?? ''), author: String(item.author ?? ''), pushedAt: String(item.pushedAt ?? '') };
  }

  private async get(key: { pk: string; sk: string }): Promise<Record<string, unknown> | undefined> {
    return (await guarded(this.client.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true })))).Item;
  }
}

/** What is known of a commit once `commitUpdate(push)` is written: the same merge, made before the write. */
function withPush(known: KnownCommit | undefined, push: PushRecord): KnownCommit {
  const pushedAt = known?.pushedAt ?? push.hostPushedAt;
  return {
    commit: push.commit,
    behind: [...new Set([...(known?.behind ?? []), ...historyOf(push)])],
    ...(pushedAt ? { pushedAt } : {}),
    ...(known?.forced || push.forced ? { forced: true } : {}),
  };
}

function toKnownCommit(item: Record<string, unknown>): KnownCommit {
  const behind = item.behind instanceof Set ? [...(item.behind as Set<string>)] : [];
  return {
    commit: String(item.commit),
    behind,
    ...(typeof item.hostPushedAt === 'string' ? { pushedAt: item.hostPushedAt } : {}),
    ...(item.forced === true ? { forced: true } : {}),
  };
}
