import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { keys } from '../../adapters/aws/cmdb-keys';
import { localHarness } from '../support/local-harness';

describe('local mode: warming up the CMDB client at start (DynamoDB Local)', () => {
  it('writes and removes only items of its own, also after a start cut off between its two transactions', async () => {
    const h = await localHarness();
    const TableName = h.release.options.tableName;
    const warmUpItems = async () =>
      (await h.release.documentClient.send(new QueryCommand({ TableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.localWarmUpPartition } }))).Items ?? [];
    const push = await h.push('Recorded before the warm-ups');
    const board = await h.release.stores.releases.board();
    const commit = await h.release.stores.pushes.getCommit('sample-service', push.commit);

    await h.release.warmUp();
    expect(await warmUpItems()).toEqual([]);
    // What a start cut off after the first transaction leaves behind.
    for (const part of ['PUT', 'UPDATE'] as const) await h.release.documentClient.send(new PutCommand({ TableName, Item: { ...keys.localWarmUp(part), at: '2026-11-30T00:00:00.000Z', count: 1 } }));
    await h.release.warmUp();

    expect(await warmUpItems()).toEqual([]);
    expect(await h.release.stores.releases.board()).toEqual(board);
    expect(await h.release.stores.pushes.getCommit('sample-service', push.commit)).toEqual(commit);
  }, 60_000);
});
