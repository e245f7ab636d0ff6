import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoPushes } from '../../../adapters/aws/dynamo-pushes';
import { TransientError } from '../../../core/errors';
import { createTestCmdb, type TestCmdb } from '../../support/dynamo';

const sha = (c: string) => c.repeat(40);
const at = (minute: number) => new Date(Date.UTC(2026, 10, 1, 0, minute)).toISOString();

/**
 * The real DynamoDB Local client, except that each BatchGetItem is sent with only its first `serve` keys
 * and answers the others as UnprocessedKeys, as DynamoDB does when throttled.
 */
function throttledBatches(client: DynamoDBDocumentClient, serve: number): { client: DynamoDBDocumentClient; batches: number[] } {
  const batches: number[] = [];
  const send = async (command: unknown) => {
    if (!(command instanceof BatchGetCommand)) return client.send(command as never);
    const [[table, request]] = Object.entries(command.input.RequestItems ?? {}) as [[string, { Keys?: Array<Record<string, unknown>>; ConsistentRead?: boolean }]];
    const wanted = request.Keys ?? [];
    batches.push(wanted.length);
    const served = wanted.slice(0, serve);
    const result = served.length > 0 ? await client.send(new BatchGetCommand({ RequestItems: { [table]: { ...request, Keys: served } } })) : { Responses: { [table]: [] } };
    const left = wanted.slice(serve);
    return { ...result, UnprocessedKeys: left.length > 0 ? { [table]: { ...request, Keys: left } } : {} };
  };
  return { client: new Proxy(client, { get: (target, name) => (name === 'send' ? send : Reflect.get(target, name)) }), batches };
}

describe('DynamoPushes reading commits by BatchGetItem (DynamoDB Local, throttled)', () => {
  let t: TestCmdb;
  beforeAll(async () => {
    t = await createTestCmdb();
    // The head of main is T; P and Q (pushed on another branch) are known to have T in their history.
    await t.pushes.recordPush({ repository: 'svc', branch: 'main', commit: sha('a'), message: 'T', author: 'a', pushedAt: at(1) });
    await t.pushes.recordPush({ repository: 'svc', branch: 'feature', commit: sha('b'), message: 'P', author: 'a', pushedAt: at(2), before: sha('a') });
    await t.pushes.recordPush({ repository: 'svc', branch: 'feature', commit: sha('c'), message: 'Q', author: 'a', pushedAt: at(3), before: sha('b') });
  });

  it('asks again for the keys left unprocessed and decides as if nothing was throttled', async () => {
    // Prepare: one key served per BatchGetItem.
    const { client, batches } = throttledBatches(t.documentClient, 1);
    const pushes = new DynamoPushes(client, t.tableName);

    // Act: N lists P and Q: it is newer than T only if both are read and their history walked.
    const result = await pushes.recordPush({ repository: 'svc', branch: 'main', commit: sha('d'), message: 'N', author: 'a', pushedAt: at(4), ancestors: [sha('c'), sha('b')] });

    // Assess
    expect(result.head).toBe(true);
    expect((await t.pushes.branchHead('svc', 'main'))?.commit).toBe(sha('d'));
    expect(batches).toContain(2);
    expect(batches).toContain(1);
  });

  it('gives up after a few tries with a TransientError (the delivery is retried) and leaves the head alone', async () => {
    // Prepare: nothing is ever served.
    const { client, batches } = throttledBatches(t.documentClient, 0);
    const pushes = new DynamoPushes(client, t.tableName);
    const head = (await t.pushes.branchHead('svc', 'main'))?.commit;

    // Act
    const recorded = pushes.recordPush({ repository: 'svc', branch: 'main', commit: sha('e'), message: 'E', author: 'a', pushedAt: at(5), before: head });

    // Assess
    await expect(recorded).rejects.toBeInstanceOf(TransientError);
    expect(batches.length).toBeGreaterThan(1);
    expect(batches.length).toBeLessThan(10);
    expect((await t.pushes.branchHead('svc', 'main'))?.commit).toBe(head);
  });
});
