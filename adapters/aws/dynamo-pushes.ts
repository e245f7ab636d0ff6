import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CommitInfo, PushRecord } from '../../core/cmdb';
import type { PushStore } from '../../core/cmdb-stores';
import { ValidationError } from '../../core/errors';
import { keys } from './cmdb-keys';
import { guarded, isConditionFailure, toDomainError } from './dynamo-errors';

const FULL_SHA = /^[0-9a-f]{40}$/;
const SHORT_SHA = /^[0-9a-f]{7,39}$/;

/** What the CMDB knows of each repository's commits, branches and tags. */
export class DynamoPushes implements PushStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async recordPush(push: PushRecord): Promise<{ head: boolean }> {
    const info: CommitInfo = { commit: push.commit, message: push.message, author: push.author, pushedAt: push.pushedAt };
    await guarded(
      this.client.send(new UpdateCommand({
        TableName: this.tableName,
        Key: keys.commit(push.repository, push.commit),
        // The first push of a commit is the one that counts; a later push of the same commit keeps it.
        UpdateExpression: 'SET #commit = :commit, message = if_not_exists(message, :message), author = if_not_exists(author, :author), pushedAt = if_not_exists(pushedAt, :pushedAt)',
        ExpressionAttributeNames: { '#commit': 'commit' },
        ExpressionAttributeValues: { ':commit': push.commit, ':message': push.message, ':author': push.author, ':pushedAt': push.pushedAt },
      })),
    );
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.branch(push.repository, push.branch), ...info, branch: push.branch },
          // A late delivery of an older push never moves the head back.
          ConditionExpression: 'attribute_not_exists(pk) OR pushedAt <= :pushedAt',
          ExpressionAttributeValues: { ':pushedAt': push.pushedAt },
        }),
      );
      return { head: true };
    } catch (error) {
      if (isConditionFailure(error)) return { head: false };
      throw toDomainError(error, '');
    }
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
    const lower = ref.toLowerCase();
    if (FULL_SHA.test(lower) && (await this.get(keys.commit(repository, lower)))) return lower;
    const tag = await this.get(keys.tag(repository, ref));
    if (tag) return String(tag.commit);
    if (!SHORT_SHA.test(lower)) return undefined;
    const result = await guarded(
      this.client.send(new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.repository(repository), ':prefix': keys.commit(repository, lower).sk },
        Limit: 2,
        ConsistentRead: true,
      })),
    );
    const matches = result.Items ?? [];
    if (matches.length > 1) throw new ValidationError(`short SHA ${ref} is ambiguous in ${repository}: give more characters`);
    return matches[0] ? String(matches[0].commit) : undefined;
  }

  private commitInfo(item: Record<string, unknown> | undefined): CommitInfo | undefined {
    if (!item) return undefined;
    return { commit: String(item.commit), message: String(item.message ?? ''), author: String(item.author ?? ''), pushedAt: String(item.pushedAt ?? '') };
  }

  private async get(key: { pk: string; sk: string }): Promise<Record<string, unknown> | undefined> {
    return (await guarded(this.client.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true })))).Item;
  }
}
