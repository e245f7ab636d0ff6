import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CmdbStores } from '../../core/cmdb-stores';
import { DynamoApprovals } from './dynamo-approvals';
import { DynamoDeliveries } from './dynamo-deliveries';
import { DynamoLeases } from './dynamo-leases';
import { DynamoPromotions } from './dynamo-promotions';
import { DynamoMetrics } from './dynamo-metrics';
import { DynamoPushes } from './dynamo-pushes';
import { DynamoReleases } from './dynamo-releases';

/** Every store of the CMDB on one table; the client is shared, so a Lambda opens one connection pool. */
export function dynamoCmdbStores(client: DynamoDBDocumentClient, tableName: string, product: string): CmdbStores {
  return {
    releases: new DynamoReleases(client, tableName, product),
    approvals: new DynamoApprovals(client, tableName, product),
    pushes: new DynamoPushes(client, tableName),
    leases: new DynamoLeases(client, tableName),
    deliveries: new DynamoDeliveries(client, tableName),
    promotions: new DynamoPromotions(client, tableName, product),
    metrics: new DynamoMetrics(client, tableName),
  };
}
