import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../../adapters/aws/cmdb-keys';
import { newReleaseId } from '../../../core/ids';
import { DeliveryMetrics } from '../../../core/metrics';
import { createTestCmdb, type TestCmdb } from '../../support/dynamo';
import { metricsConfig as config } from '../../core/metrics-fixtures';
import { sha } from '../../core/release-operations-harness';


const DEPLOYMENTS = 10_000;
const COMMITS = 1_000;
const NOW = Date.parse('2030-12-31T00:00:00.000Z');
const MINUTE = 60_000;

/**
 * Items as `DynamoReleases` and `DynamoPushes` write them, put 25 at a time: 10,000 production
 * deployments over 2 repositories and about 280 days (every tenth one failed, the rest accepted 30 minutes
 * after their start), of 1,000 commits (each deployed 10 times), each pushed an hour before its first deployment.
 */
async function seed(t: TestCmdb): Promise<void> {
  const items: Array<Record<string, unknown>> = [];
  for (let n = 0; n < DEPLOYMENTS; n += 1) {
    const repository = n % 2 === 0 ? 'svc' : 'api';
    const commit = sha(`commit-${n % COMMITS}`);
    const start = NOW - (DEPLOYMENTS - n) * 40 * MINUTE;
    const at = (offset: number) => new Date(start + offset * MINUTE).toISOString();
    const releaseId = newReleaseId(new Date(start - MINUTE));
    const failed = n % 10 === 9;
    items.push({
      ...keys.release(releaseId),
      ...keys.historyIndex(repository, 'production', at(0), releaseId),
      releaseId,
      repository,
      environment: 'production',
      commit,
      kind: 'release',
      requestedBy: 'alice',
      createdAt: at(-1),
      startedAt: at(0),
      updatedAt: at(30),
      finishedAt: at(30),
      state: failed ? 'failed' : 'accepted',
      history: [
        { state: 'prepared', at: at(-1), by: 'alice' },
        { state: 'deploying', at: at(0), by: 'system' },
        failed ? { state: 'failed', at: at(30), by: 'codebuild' } : { state: 'accepted', at: at(30), by: 'rm@example.com' },
      ],
      approvals: [],
    });
  }
  for (let n = 0; n < COMMITS; n += 1) {
    // Commit n is first deployed by deployment n: pushed an hour before it.
    const commit = sha(`commit-${n}`);
    const pushedAt = new Date(NOW - (DEPLOYMENTS - n) * 40 * MINUTE - 60 * MINUTE).toISOString();
    items.push({ ...keys.commit(n % 2 === 0 ? 'svc' : 'api', commit), commit, message: 'm', author: 'dev', pushedAt, hostPushedAt: pushedAt });
  }
  const batches: Array<Array<Record<string, unknown>>> = [];
  for (let index = 0; index < items.length; index += 25) batches.push(items.slice(index, index + 25));
  // A few writers at once: DynamoDB Local takes them in parallel.
  await Promise.all(
    Array.from({ length: 6 }, async (_, worker) => {
      for (let index = worker; index < batches.length; index += 6) {
        let requests: Record<string, unknown>[] | undefined = (batches[index] ?? []).map((Item) => ({ PutRequest: { Item } }));
        while (requests && requests.length > 0) {
          const result = await t.documentClient.send(new BatchWriteCommand({ RequestItems: { [t.tableName]: requests } }));
          requests = result.UnprocessedItems?.[t.tableName] as Record<string, unknown>[] | undefined;
        }
      }
    }),
  );
}

describe('delivery metrics over 10,000 deployments (DynamoDB Local)', () => {
  let t: TestCmdb;
  beforeAll(async () => {
    t = await createTestCmdb('acme');
    await seed(t);
  }, 240_000);

  it('answers from Queries of the history index and key reads of commits, never a Scan', async () => {
    // Prepare: record every command the client sends from now on.
    const sent: string[] = [];
    t.client.middlewareStack.add(
      (next, context) => async (args) => {
        sent.push(String(context.commandName));
        return next(args);
      },
      { step: 'initialize', name: 'metricsCommandRecorder' },
    );
    const metrics = new DeliveryMetrics({ config, metrics: t.metrics, clock: { now: () => new Date(NOW) } });

    // Act
    const answer = await metrics.compute({ environment: 'production', days: 365 });

    // Assess: every deployment counted, from Queries and BatchGetItems only.
    expect(answer.deploymentFrequency.deployments).toBe(DEPLOYMENTS);
    expect(answer.changeFailureRate).toEqual({ failures: DEPLOYMENTS / 10, deployments: DEPLOYMENTS, rate: 0.1 });
    expect(answer.leadTime.changes).toBe(DEPLOYMENTS - DEPLOYMENTS / 10);
    expect(new Set(sent)).toEqual(new Set(['QueryCommand', 'BatchGetItemCommand']));
    expect(sent).not.toContain('ScanCommand');
    // A Query reads up to 1 MB: a few pages per repository, not one request per deployment. Commits are
    // read once each, 100 keys a request, and only those of accepted deployments: svc's 500 (the even
    // ones) in 5 requests, api's 400 (the odd ones but those ending in 9, whose deployments all fail) in 4.
    const queries = sent.filter((name) => name === 'QueryCommand').length;
    expect(queries).toBeLessThan(DEPLOYMENTS / 100);
    expect(sent.filter((name) => name === 'BatchGetItemCommand').length).toBe(5 + 4);
  }, 120_000);
});
