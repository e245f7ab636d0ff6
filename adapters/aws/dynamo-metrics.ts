import { BatchGetCommand, QueryCommand, type BatchGetCommandOutput, type DynamoDBDocumentClient, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import type { Release } from '../../core/cmdb';
import type { MetricsStore } from '../../core/metrics';
import { CMDB_SCHEMA } from './cmdb-schema';
import { toRelease } from './cmdb-items';
import { keys } from './cmdb-keys';
import { guarded } from './dynamo-errors';

/** A BatchGetItem reads at most 100 keys. */
const BATCH = 100;

/**
 * What the delivery metrics read (docs/operations.md#delivery-metrics), on the existing keys: an
 * environment's history is a Query of `gsi1` from a time on (`HISTORY#<repo>#<env>`, sort key
 * `<startedAt>#<releaseId>`), and commits are read by their keys. Never a Scan.
 */
export class DynamoMetrics implements MetricsStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async *deployments(repository: string, environment: string, since: string): AsyncGenerator<Release> {
    let start: Record<string, unknown> | undefined;
    do {
      const result: QueryCommandOutput = await guarded(
        this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: CMDB_SCHEMA.index.name,
            KeyConditionExpression: '#pk = :pk AND #sk >= :since',
            ExpressionAttributeNames: { '#pk': CMDB_SCHEMA.index.partitionKey, '#sk': CMDB_SCHEMA.index.sortKey },
            ExpressionAttributeValues: { ':pk': keys.historyPartition(repository, environment), ':since': since },
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        ),
      );
      for (const item of result.Items ?? []) yield toRelease(item);
      start = result.LastEvaluatedKey;
    } while (start);
  }

  async commitTimes(repository: string, commits: readonly string[]): Promise<ReadonlyMap<string, string>> {
    const times = new Map<string, string>();
    for (let index = 0; index < commits.length; index += BATCH) {
      let keysLeft: Array<Record<string, unknown>> | undefined = commits.slice(index, index + BATCH).map((commit) => ({ ...keys.commit(repository, commit) }));
      while (keysLeft && keysLeft.length > 0) {
        const result: BatchGetCommandOutput = await guarded(
          this.client.send(
            new BatchGetCommand({
              RequestItems: { [this.tableName]: { Keys: keysLeft, ProjectionExpression: '#commit, pushedAt, hostPushedAt', ExpressionAttributeNames: { '#commit': 'commit' } } },
            }),
          ),
        );
        for (const item of result.Responses?.[this.tableName] ?? []) {
          const at = item.hostPushedAt ?? item.pushedAt;
          if (typeof at === 'string') times.set(String(item.commit), at);
        }
        keysLeft = result.UnprocessedKeys?.[this.tableName]?.Keys;
      }
    }
    return times;
  }
}
