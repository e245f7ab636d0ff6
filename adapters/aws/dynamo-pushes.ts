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
/** Reverse entries written at once when a push lists more than one transaction holds. */
const LISTED_AT_ONCE = 25;

/** What the CMDB knows of each repository's commits, branches and tags. */
export class DynamoPushes implements PushStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async recordPush(push: PushRecord): Promise<{ head: boolean; reason: string }> {
    await this.recordCommit(push);
    return this.advanceHead(push.repository, push.branch, push.commit);
  }

  async claimAndRecordPush(claim: DeliveryClaim, push: PushRecord): Promise<{ claimed: boolean }> {
    return this.recordCommit(push, claim);
  }

  /**
   * One write, no read: the delivery's claim (when given, conditional), what the push tells of its commit,
   * and the reverse entries of that history (`listedUpdate`), in one transaction. Entries beyond what one
   * transaction holds (a push listing a hundred commits or more) are written first, in parallel: an entry
   * written for a push that then fails only makes a search walk further, never changes its answer. A
   * commit item recorded by an earlier version keeps no `listing` mark (its old history has no entries): the
   * transaction tries once with the mark's condition, then without the mark. A twin transaction at the
   * same moment (a redelivery racing its original) is waited out; then the claim tells which one won.
   */
  private async recordCommit(push: PushRecord, claim?: DeliveryClaim): Promise<{ claimed: boolean }> {
    const listed = historyOf(push).map((listedCommit) => ({ Update: this.listedUpdate(push.repository, listedCommit) }));
    const room = MAX_TRANSACTION_ITEMS - 2;
    for (let index = room; index < listed.length; index += LISTED_AT_ONCE) {
      await Promise.all(listed.slice(index, index + LISTED_AT_ONCE).map((item) => guarded(this.client.send(new UpdateCommand(item.Update)))));
    }
    let listing = true;
    for (let attempt = 0; ; attempt += 1) {
      const items: TransactItem[] = [...(claim ? [{ Put: claimPut(this.tableName, claim) }] : []), { Update: this.commitUpdate(push, listing) }, ...listed.slice(0, room)];
      try {
        if (items.length > 1) await this.client.send(new TransactWriteCommand({ TransactItems: items }));
        else await this.client.send(new UpdateCommand(items[0]!.Update!));
        return { claimed: true };
      } catch (error) {
        const codes = cancellationCodes(error);
        if (claim && codes[0] === 'ConditionalCheckFailed') return { claimed: false };
        const commitCode = items.length > 1 ? codes[claim ? 1 : 0] : isConditionFailure(error) ? 'ConditionalCheckFailed' : undefined;
        if (listing && commitCode === 'ConditionalCheckFailed') {
          listing = false;
          continue;
        }
        if (!codes.includes('TransactionConflict') || attempt >= 4) throw toDomainError(error, '');
        await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20));
      }
    }
  }

  /**
   * Reads the branch head and what is known of the commit and of the head's, compares them
   * (`compareToTip`), and moves the head to the commit when it is newer, by a conditional write on the head
   * it was compared with: two runs at once cannot both win; the loser compares again.
   */
  async advanceHead(repository: string, branch: string, commit: string): Promise<{ head: boolean; reason: string }> {
    let looks = 0;
    for (let attempt = 0; attempt < 5 + SECOND_LOOKS; attempt += 1) {
      const read = await this.lookUp(repository, [commit], branch);
      const tip = read.head;
      const item = read.commits.find((known) => known.commit === commit);
      // Nothing to compare: the head stays where it is.
      if (!item) return { head: false, reason: `${commit.slice(0, 12)} was never pushed` };
      const tipCommit = tip ? String(tip.commit) : undefined;
      const tipRead = tipCommit && tipCommit !== commit ? await this.lookUp(repository, [tipCommit]) : undefined;
      const found = [...read.commits, ...(tipRead?.commits ?? [])];
      const listed = new Map([...read.listed, ...(tipRead?.listed ?? [])]);
      const index = read.index ?? (await this.startIndex(repository));
      // Who lists a commit is known only where the repository's index is complete (see `listedUpdate`).
      const withListed = (known: KnownCommit): KnownCommit => (index.complete ? { ...known, listed: listed.get(known.commit) ?? false } : known);
      const incoming = withListed(item);
      const known = tipCommit ? withListed(found.find((candidate) => candidate.commit === tipCommit) ?? { commit: tipCommit, behind: [] }) : undefined;
      const decision = known ? await compareToTip(incoming, known, (commits) => this.known(repository, commits)) : { order: 'newer' as const, reason: 'the first push of the branch' };
      if (decision.order !== 'newer') {
        // Not the head, and nothing of its history is recorded: its parent's push may be landing this very
        // moment (a burst of deliveries). Once it has, this commit is newer than it; look again shortly.
        if (decision.order === 'older' && incoming.behind.length > 0 && (await this.known(repository, incoming.behind.slice(0, 100))).length === 0 && looks < SECOND_LOOKS) {
          looks += 1;
          await new Promise((resolve) => setTimeout(resolve, SECOND_LOOK_MS));
          continue;
        }
        return { head: decision.order === 'same', reason: decision.reason };
      }
      const details = read.items.get(commit) ?? {};
      try {
        await this.client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { ...keys.branch(repository, branch), commit, message: details.message, author: details.author, pushedAt: details.pushedAt, branch, seq: Number(tip?.seq ?? 0) + 1 },
            ConditionExpression: tip ? '#commit = :tip' : 'attribute_not_exists(pk)',
            ...(tip ? { ExpressionAttributeNames: { '#commit': 'commit' }, ExpressionAttributeValues: { ':tip': tip.commit } } : {}),
          }),
        );
        return { head: true, reason: tipCommit ? `newer than ${tipCommit.slice(0, 12)}` : decision.reason };
      } catch (error) {
        // Only the head's condition can fail: it moved since it was read.
        if (!isConditionFailure(error)) throw toDomainError(error, '');
      }
    }
    throw new TransientError(`the head of ${repository} ${branch} kept moving; try again`);
  }

  /**
   * The reverse of `behind`: some recorded commit lists `listedCommit` in its history. Written with the
   * push that says so, in the same transaction, so that any commit some recorded commit lists is known to be listed: a
   * search for an unlisted commit stops at its first step (`KnownCommit.listed`), in repositories whose
   * every commit was recorded with them (the repository's index, `startIndex`).
   */
  private listedUpdate(repository: string, listedCommit: string): NonNullable<TransactItem['Update']> {
    // Only whether the entry exists is ever read: a flag, not the list of who lists it (an item that
    // could only grow, toward DynamoDB's 400 KB).
    return {
      TableName: this.tableName,
      Key: keys.listed(repository, listedCommit),
      UpdateExpression: 'SET listed = :listed',
      ExpressionAttributeValues: { ':listed': true },
    };
  }

  /**
   * The repository has no index yet (its first run since this CMDB keeps one): complete when every
   * recorded commit was recorded with its reverse entries (`listing`), else partial: searches there
   * always walk. Read once per repository, a page of its commits at a time; written for the next run.
   */
  private async startIndex(repository: string): Promise<{ complete: boolean }> {
    let complete = true;
    let start: Record<string, unknown> | undefined;
    do {
      const page = await guarded(
        this.client.send(new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          FilterExpression: 'attribute_not_exists(listing)',
          ExpressionAttributeValues: { ':pk': keys.repository(repository), ':prefix': keys.commitPrefix },
          ProjectionExpression: 'pk',
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        })),
      );
      if ((page.Items ?? []).length > 0) complete = false;
      start = page.LastEvaluatedKey;
    } while (complete && start);
    await this.client
      .send(new PutCommand({ TableName: this.tableName, Item: { ...keys.listedIndex(repository), complete }, ConditionExpression: 'attribute_not_exists(pk)' }))
      .catch((error: unknown) => {
        // Another run wrote it first: the same answer.
        if (!isConditionFailure(error)) throw toDomainError(error, '');
      });
    return { complete };
  }

  /**
   * What is known of these commits, whether recorded commits list them, the repository's index and, when
   * `branch` is given, the branch's head item, in one round trip (a BatchGetItem of 2n + 1 keys for n
   * commits, plus the head's; each read strongly consistent).
   */
  private async lookUp(
    repository: string,
    commits: readonly string[],
    branch?: string,
  ): Promise<{ commits: KnownCommit[]; items: Map<string, Record<string, unknown>>; listed: Map<string, boolean>; index?: { complete: boolean }; head?: Record<string, unknown> }> {
    const headKey = branch === undefined ? undefined : keys.branch(repository, branch);
    const items = await this.batchGet(repository, [
      ...commits.map((commit) => keys.commit(repository, commit)),
      ...commits.map((commit) => keys.listed(repository, commit)),
      keys.listedIndex(repository),
      ...(headKey ? [headKey] : []),
    ]);
    const found: KnownCommit[] = [];
    const byCommit = new Map<string, Record<string, unknown>>();
    const listed = new Map<string, boolean>();
    let index: { complete: boolean } | undefined;
    let head: Record<string, unknown> | undefined;
    for (const item of items) {
      const sk = String(item.sk);
      if (sk.startsWith(keys.commitPrefix)) {
        found.push(toKnownCommit(item));
        byCommit.set(String(item.commit), item);
      }
      else if (sk.startsWith(keys.listedPrefix)) listed.set(sk.slice(keys.listedPrefix.length), true);
      else if (sk === headKey?.sk) head = item;
      else index = { complete: item.complete === true };
    }
    return { commits: found, items: byCommit, listed, ...(index ? { index } : {}), ...(head ? { head } : {}) };
  }

  /** What one push tells of its commit (kept across pushes: history only grows), as one Update. */
  private commitUpdate(push: PushRecord, listing: boolean): NonNullable<TransactItem['Update']> {
    const behind = historyOf(push);
    const set = ['#commit = :commit', 'message = if_not_exists(message, :message)', 'author = if_not_exists(author, :author)', 'pushedAt = if_not_exists(pushedAt, :pushedAt)'];
    const values: Record<string, unknown> = { ':commit': push.commit, ':message': push.message, ':author': push.author, ':pushedAt': push.pushedAt };
    if (listing) {
      // `listing`: every entry of its history has its reverse entry (see `listedUpdate`), true only of an
      // item this version made; one recorded before keeps none.
      set.push('listing = :listing');
      values[':listing'] = true;
    }
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
      ...(listing ? { ConditionExpression: 'attribute_not_exists(pk) OR attribute_exists(listing)' } : {}),
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

function toKnownCommit(item: Record<string, unknown>): KnownCommit {
  const behind = item.behind instanceof Set ? [...(item.behind as Set<string>)] : [];
  return {
    commit: String(item.commit),
    behind,
    ...(typeof item.hostPushedAt === 'string' ? { pushedAt: item.hostPushedAt } : {}),
    ...(item.forced === true ? { forced: true } : {}),
  };
}
