import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { LeaseStore } from '../../core/cmdb-stores';
import { LeaseBusyError } from '../../core/errors';
import { keys } from './cmdb-keys';
import { guarded, isConditionFailure, toDomainError } from './dynamo-errors';

/** The deploy lease of each repository x environment: one deploy at a time. */
export class DynamoLeases implements LeaseStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Takes the deploy lease of a repository x environment for `ttlSeconds`. Free, expired (its holder
   * crashed) or already ours: taken. Otherwise `LeaseBusyError`, which workflows retry with backoff.
   */
  async acquireLease(repository: string, environment: string, holder: string, ttlSeconds: number, now: Date): Promise<void> {
    const seconds = Math.floor(now.getTime() / 1000);
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.lease(repository, environment), holder, acquiredAt: now.toISOString(), expiresAt: seconds + ttlSeconds, ttl: seconds + ttlSeconds + 86_400 },
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now OR holder = :holder',
          ExpressionAttributeValues: { ':now': seconds, ':holder': holder },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw toDomainError(error, '');
      const current = (error as { Item?: Record<string, { S?: string }> }).Item?.holder?.S ?? 'another run';
      throw new LeaseBusyError(`${repository} in ${environment} is being deployed by ${current}`, { cause: error });
    }
  }

  /** Gives the lease back if we still hold it; a lease that expired and was taken over is left alone. */
  async releaseLease(repository: string, environment: string, holder: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: keys.lease(repository, environment),
          ConditionExpression: 'holder = :holder',
          ExpressionAttributeValues: { ':holder': holder },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw toDomainError(error, '');
    }
  }

  async leaseHolder(repository: string, environment: string): Promise<string | undefined> {
    const { Item: item } = await guarded(this.client.send(new GetCommand({ TableName: this.tableName, Key: keys.lease(repository, environment), ConsistentRead: true })));
    return item ? String(item.holder) : undefined;
  }
}
