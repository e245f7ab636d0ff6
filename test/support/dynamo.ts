import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { cmdbCreateTableInput } from '../../adapters/aws/cmdb-table-input';
import { dynamoCmdbStores } from '../../adapters/aws/dynamo-cmdb-stores';
import type { CmdbStores } from '../../core/cmdb-stores';
import { recordCmdb } from './cmdb-recorder';

export interface TestCmdb extends CmdbStores {
  readonly documentClient: DynamoDBDocumentClient;
  readonly client: DynamoDBClient;
  readonly tableName: string;
}

/**
 * A fresh CMDB table in the run's DynamoDB Local, so test files never see each other's items. Every
 * command its stores send must be granted by `CMDB_ACCESS` (see `recordCmdb`).
 */
export async function createTestCmdb(product = 'sample-service'): Promise<TestCmdb> {
  const client = new DynamoDBClient({
    endpoint: inject('dynamoEndpoint'),
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const tableName = `cmdb-${randomUUID()}`;
  await client.send(new CreateTableCommand(cmdbCreateTableInput(tableName)));
  const documentClient = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  return { ...recordCmdb(client, dynamoCmdbStores(documentClient, tableName, product)), documentClient, client, tableName };
}
