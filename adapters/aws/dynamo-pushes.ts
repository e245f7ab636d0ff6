import { BatchGetCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type BatchGetCommandOutput, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CommitInfo, PushRecord } from '../../core/cmdb';
import type { PushStore } from '../../core/cmdb-stores';
import { compareToTip, historyOf, type KnownCommit } from '../../core/commit-order';
import { ConflictError, TransientError, ValidationError } from '../../core/errors';
import { keys } from './cmdb-keys';
import { guarded, isConditionFailure, toDomainError } from './dynamo-errors';

const FULL_SHA = /^[0-9a-f]{40}$/;
const SHORT_SHA = /^[0-9a-f]{7,39}$/;
/** Pauses before asking again for the keys a BatchGetItem left unprocessed. */
const UNPROCESSED_RETRY_MS = [25, 50, 100, 200, 400] as const;

/** What the CMDB knows of each repository's commits, branches and tags. */
export class DynamoPushes implements PushStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async recordPush(push: PushRecord): Promise<{ head: boolean; reason: string }> {
    const incoming = await this.recordCommit(push);
    // The head moves by a conditional write on the head it was compared with: two pushes recorded at
    // once cannot both win, and the loser compares again with the winner.
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const tip = await this.get(keys.branch(push.repository, push.branch));
      let seq = 1;
      if (tip) {
        const tipCommit = String(tip.commit);
        const known = (await this.known(push.repository, [tipCommit]))[0] ?? { commit: tipCommit, behind: [] };
        const decision = await compareToTip(incoming, known, (commits) => this.known(push.repository, commits));
        if (decision.order === 'same') return { head: true, reason: decision.reason };
        if (decision.order === 'older') return { head: false, reason: decision.reason };
        seq = Number(tip.seq ?? 0) + 1;
      }
      try {
        await this.client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { ...keys.branch(push.repository, push.branch), commit: push.commit, message: push.message, author: push.author, pushedAt: push.pushedAt, branch: push.branch, seq },
            ConditionExpression: tip ? '#commit = :tip' : 'attribute_not_exists(pk)',
            ...(tip ? { ExpressionAttributeNames: { '#commit': 'commit' }, ExpressionAttributeValues: { ':tip': tip.commit } } : {}),
          }),
        );
        return { head: true, reason: tip ? `newer than ${String(tip.commit).slice(0, 12)}` : 'the first push of the branch' };
      } catch (error) {
        if (!isConditionFailure(error)) throw toDomainError(error, '');
      }
    }
    throw new TransientError(`the head of ${push.repository} ${push.branch} kept moving; try again`);
  }

  /** Writes what one push tells of its commit (kept across pushes: history only grows) and returns it all. */
  private async recordCommit(push: PushRecord): Promise<KnownCommit> {
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
    const result = await guarded(
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.commit(push.repository, push.commit),
          // The first push of a commit gives its message and time; every push adds to its known history.
          UpdateExpression: `SET ${set.join(', ')}${behind.length > 0 ? ' ADD behind :behind' : ''}`,
          ExpressionAttributeNames: { '#commit': 'commit' },
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    return toKnownCommit(result.Attributes ?? { commit: push.commit });
  }

  /**
   * What is known of these commits, read 100 at a time (BatchGetItem's limit). Keys DynamoDB leaves
   * unprocessed (throttling) are asked again after a short, growing pause, a bounded number of times;
   * then the push fails as transient and its delivery is retried.
   */
  private async known(repository: string, commits: readonly string[]): Promise<KnownCommit[]> {
    const found: KnownCommit[] = [];
    for (let index = 0; index < commits.length; index += 100) {
      let keysLeft: Array<Record<string, unknown>> | undefined = commits.slice(index, index + 100).map((commit) => ({ ...keys.commit(repository, commit) }));
      for (let attempt = 0; keysLeft && keysLeft.length > 0; attempt += 1) {
        const pause = UNPROCESSED_RETRY_MS[attempt - 1];
        if (attempt > 0 && pause === undefined) throw new TransientError(`the CMDB left ${keysLeft.length} commits of ${repository} unread; try again`);
        if (pause !== undefined) await new Promise((resolve) => setTimeout(resolve, pause));
        const result: BatchGetCommandOutput = await guarded(this.client.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keysLeft, ConsistentRead: true } } })));
        found.push(...(result.Responses?.[this.tableName] ?? []).map(toKnownCommit));
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
