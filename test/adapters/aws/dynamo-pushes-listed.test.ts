import { DeleteCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestCmdb, type TestCmdb } from '../../support/dynamo';

/**
 * The reverse entries of a repository's commit history (docs/architecture.md#commit-order): a push that
 * arrives before its parent's is compared with the branch head without reading the branch back to its
 * first commit, and a repository recorded before the entries existed still orders by the full walk.
 */

const sha = (index: number) => index.toString(16).padStart(40, 'a');
const LENGTH = 120;

/** Counts the requests one call sends to DynamoDB Local. */
function requestCounter(cmdb: TestCmdb) {
  let count = 0;
  cmdb.client.middlewareStack.add((next) => (args) => ((count += 1), next(args)), { step: 'initialize', name: 'countRequests' });
  return async <T>(call: () => Promise<T>): Promise<{ result: T; requests: number }> => {
    const before = count;
    const result = await call();
    return { result, requests: count - before };
  };
}

async function pushChain(cmdb: TestCmdb, repository: string, length: number): Promise<void> {
  for (let index = 0; index < length; index += 1) {
    await cmdb.pushes.recordPush({ repository, branch: 'main', commit: sha(index), message: `change ${index}`, author: 'a', pushedAt: new Date(Date.UTC(2026, 10, 1, 10, 0, index)).toISOString(), ...(index > 0 ? { before: sha(index - 1) } : {}) });
  }
}

describe('DynamoPushes: who lists a commit (DynamoDB Local)', () => {
  let cmdb: TestCmdb;
  let requests: ReturnType<typeof requestCounter>;
  beforeAll(async () => {
    cmdb = await createTestCmdb();
    requests = requestCounter(cmdb);
  });

  it('compares a push that arrives before its parent in a few requests, however long the branch', async () => {
    await pushChain(cmdb, 'long', LENGTH);
    const late = { repository: 'long', branch: 'main', message: 'm', author: 'a', pushedAt: new Date().toISOString() };

    // LENGTH + 1 arrives before LENGTH: not the head (nothing says it is newer), and no walk of the branch.
    const early = await requests(() => cmdb.pushes.recordPush({ ...late, commit: sha(LENGTH + 1), before: sha(LENGTH) }));
    expect(early.result.head).toBe(false);
    // Three looks (the parent may be landing), each a few reads; a walk of the branch would be LENGTH reads.
    expect(early.requests).toBeLessThan(20);
    expect((await cmdb.pushes.branchHead('long', 'main'))?.commit).toBe(sha(LENGTH - 1));

    // LENGTH arrives: its parent is the head, so it moves there.
    const parent = await requests(() => cmdb.pushes.recordPush({ ...late, commit: sha(LENGTH), before: sha(LENGTH - 1) }));
    expect(parent.result.head).toBe(true);
    expect(parent.requests).toBeLessThan(20);

    // A late redelivery of an old push is found in the head's history: older, and the head stays.
    const old = await requests(() => cmdb.pushes.recordPush({ ...late, commit: sha(3), before: sha(2) }));
    expect(old.result.head).toBe(false);
    expect((await cmdb.pushes.branchHead('long', 'main'))?.commit).toBe(sha(LENGTH));
  });

  it('records a push that lists more commits than one transaction holds, and orders by them', async () => {
    // A GitHub push of 150 new commits: the webhook lists them all; the last is the pushed commit.
    const listedCommits = Array.from({ length: 150 }, (_, index) => sha(5000 + index));
    const at = new Date().toISOString();
    await cmdb.pushes.recordPush({ repository: 'big', branch: 'main', commit: sha(4999), message: 'm', author: 'a', pushedAt: at });

    const big = await cmdb.pushes.claimAndRecordPush({ provider: 'github', deliveryId: 'big-1', at: new Date() }, { repository: 'big', branch: 'main', commit: sha(6000), message: 'm', author: 'a', pushedAt: at, before: sha(4999), ancestors: listedCommits });

    expect(big.claimed).toBe(true);
    expect((await cmdb.pushes.advanceHead('big', 'main', sha(6000))).head).toBe(true);
    // A late push of one of the 150 is found in the head's history through the entries written first.
    expect((await cmdb.pushes.recordPush({ repository: 'big', branch: 'main', commit: sha(5010), message: 'm', author: 'a', pushedAt: at, before: sha(5009) })).head).toBe(false);
    expect((await cmdb.pushes.branchHead('big', 'main'))?.commit).toBe(sha(6000));
  });

  it('orders a repository recorded before the reverse entries existed by walking its history', async () => {
    await pushChain(cmdb, 'legacy', 30);
    // As a CMDB written by an earlier version: no index, no reverse entries, commits without `listing`.
    const items = await cmdb.documentClient.send(new ScanCommand({ TableName: cmdb.tableName }));
    for (const item of items.Items ?? []) {
      if (item.pk !== 'REPO#legacy') continue;
      const key = { pk: item.pk, sk: item.sk };
      if (item.sk === 'INDEX' || String(item.sk).startsWith('LISTED#')) await cmdb.documentClient.send(new DeleteCommand({ TableName: cmdb.tableName, Key: key }));
      if (String(item.sk).startsWith('COMMIT#')) await cmdb.documentClient.send(new UpdateCommand({ TableName: cmdb.tableName, Key: key, UpdateExpression: 'REMOVE listing' }));
    }
    const at = new Date().toISOString();

    // Its next run finds no index and commits recorded without reverse entries: its index is partial and
    // every comparison walks, as before; the late old push is still found in the head's history.
    expect((await cmdb.pushes.recordPush({ repository: 'legacy', branch: 'main', commit: sha(31), message: 'm', author: 'a', pushedAt: at, before: sha(30) })).head).toBe(false);
    const old = await requests(() => cmdb.pushes.recordPush({ repository: 'legacy', branch: 'main', commit: sha(30), message: 'm', author: 'a', pushedAt: at, before: sha(29) }));
    expect(old.result.head).toBe(true);
    expect((await cmdb.pushes.recordPush({ repository: 'legacy', branch: 'main', commit: sha(4), message: 'm', author: 'a', pushedAt: at, before: sha(3) })).head).toBe(false);
    expect((await cmdb.pushes.branchHead('legacy', 'main'))?.commit).toBe(sha(30));
    const index = items.Items?.find((item) => item.pk === 'REPO#legacy' && item.sk === 'INDEX');
    expect(index?.complete).toBe(true);
    const after = await cmdb.documentClient.send(new ScanCommand({ TableName: cmdb.tableName }));
    expect(after.Items?.find((item) => item.pk === 'REPO#legacy' && item.sk === 'INDEX')?.complete).toBe(false);
    // A commit recorded before keeps no `listing` mark when it is pushed again (its old history has no
    // reverse entries); one recorded now has it.
    const mark = (commit: string) => after.Items?.find((item) => item.pk === 'REPO#legacy' && item.sk === `COMMIT#${commit}`)?.listing;
    expect(mark(sha(4))).toBeUndefined();
    expect(mark(sha(30))).toBe(true);
  });
});
