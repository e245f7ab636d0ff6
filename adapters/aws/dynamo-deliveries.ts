import { DeleteCommand, PutCommand, type DynamoDBDocumentClient, type PutCommandInput } from '@aws-sdk/lib-dynamodb';
import type { DeliveryClaim, DeliveryStore } from '../../core/cmdb-stores';
import { keys } from './cmdb-keys';
import { guarded, isConditionFailure, toDomainError } from './dynamo-errors';

/** Delivery ids are kept at least as long as any git host retries a delivery. */
export const DEFAULT_DELIVERY_TTL_DAYS = 8;

/** Claims of webhook deliveries (delivery id and ref), so a redelivery is a no-op. */
export class DynamoDeliveries implements DeliveryStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async claimDelivery(provider: string, deliveryId: string, at: Date, ttlDays = DEFAULT_DELIVERY_TTL_DAYS): Promise<boolean> {
    try {
      await this.client.send(new PutCommand(claimPut(this.tableName, { provider, deliveryId, at, ttlDays })));
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw toDomainError(error, '');
    }
  }

  async releaseDelivery(provider: string, deliveryId: string): Promise<void> {
    await guarded(this.client.send(new DeleteCommand({ TableName: this.tableName, Key: keys.delivery(provider, deliveryId) })));
  }
}

/**
 * The conditional Put that claims a delivery: alone in `claimDelivery`, or the first item of the webhook's
 * one transaction (`DynamoPushes.claimAndRecordPush`). It fails when the delivery is claimed already.
 */
export function claimPut(tableName: string, claim: DeliveryClaim): PutCommandInput {
  const now = Math.floor(claim.at.getTime() / 1000);
  const ttlDays = claim.ttlDays ?? DEFAULT_DELIVERY_TTL_DAYS;
  return {
    TableName: tableName,
    Item: { ...keys.delivery(claim.provider, claim.deliveryId), provider: claim.provider, deliveryId: claim.deliveryId, receivedAt: claim.at.toISOString(), ttl: now + ttlDays * 86_400 },
    // TTL deletion lags by up to days: an expired item counts as gone.
    ConditionExpression: 'attribute_not_exists(pk) OR #ttl < :now',
    ExpressionAttributeNames: { '#ttl': 'ttl' },
    ExpressionAttributeValues: { ':now': now },
  };
}
