import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { CMDB_SCHEMA } from './cmdb-schema';

/** The CreateTable request that matches the `CmdbTable` construct: local mode and tests use it. */
export function cmdbCreateTableInput(tableName: string): CreateTableCommandInput {
  const { partitionKey, sortKey, index } = CMDB_SCHEMA;
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [partitionKey, sortKey, index.partitionKey, index.sortKey].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: partitionKey, KeyType: 'HASH' },
      { AttributeName: sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: index.name,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          { AttributeName: index.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  };
}
