import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../../adapters/aws/cmdb-keys';
import { DynamoReleases } from '../../../adapters/aws/dynamo-releases';
import type { Release } from '../../../core/cmdb';
import { ConflictError } from '../../../core/errors';
import { newReleaseId } from '../../../core/ids';
import type { ReleaseKind } from '../../../core/release-lifecycle';
import { createTestCmdb, type TestCmdb } from '../../support/dynamo';

const PRODUCT = 'agreement';
const WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'TransactWriteItemsCommand', 'BatchWriteItemCommand']);

/** One step of a release's life, as a workflow would take it. */
type Step = (cmdb: DynamoReleases, release: { releaseId: string }, at: string) => Promise<unknown>;
const to =
  (state: Parameters<DynamoReleases['transitionRelease']>[1]): Step =>
  (cmdb, release, at) =>
    cmdb.transitionRelease(release.releaseId, state, { by: 'test', at });
const deployed: Step = (cmdb, release, at) => cmdb.recordDeployment(release.releaseId, { by: 'test', at });
const accepted: Step = (cmdb, release, at) => cmdb.markAccepted(release.releaseId, { by: 'approver@example.com', at });

/** The lives a release can have, from its first move to its end (creation comes first in every one). */
const LIVES: Record<string, { kind: ReleaseKind; steps: Step[] }> = {
  'continuous, accepted': { kind: 'deploy', steps: [to('building'), to('deploying'), deployed, accepted] },
  'continuous, test failed': { kind: 'deploy', steps: [to('building'), to('deploying'), deployed, to('failed')] },
  'release with both gates, accepted': { kind: 'release', steps: [to('awaiting_approval'), to('deploying'), deployed, to('awaiting_acceptance'), accepted] },
  'release, acceptance rejected': { kind: 'release', steps: [to('deploying'), deployed, to('awaiting_acceptance'), to('rejected')] },
  'release, superseded while waiting': { kind: 'release', steps: [to('awaiting_approval'), to('superseded')] },
  'release, deploy failed': { kind: 'release', steps: [to('deploying'), to('failed')] },
  'accepted, then rolled back': { kind: 'rollback', steps: [to('deploying'), deployed, accepted, to('rolled_back')] },
};

/**
 * A reader of the board and a reader of a release must never disagree (`cot status` against `cot show`).
 * Every write the CMDB sends is followed, before the next one starts, by a read of the cell and of every
 * release of it, and these checks must hold at each of those moments:
 * - the cell shows its newest release, in the state that release is in;
 * - the commit it says runs there is the commit of the release that deployed it;
 * - the commit it says is accepted was accepted by one of its releases.
 */
describe('the board agrees with the releases at every write (DynamoDB Local)', () => {
  let t: TestCmdb;
  let reader: DynamoDBDocumentClient;
  beforeAll(async () => {
    t = await createTestCmdb(PRODUCT);
    reader = DynamoDBDocumentClient.from(t.client);
  });

  /** A CMDB whose every write is followed by `check()`: the observer sits between two writes. */
  function observedCmdb(check: () => Promise<void>): DynamoReleases {
    const client = new DynamoDBClient({ endpoint: t.client.config.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        if (WRITES.has(context.commandName ?? '')) await check();
        return result;
      },
      { step: 'initialize', name: 'observeEveryWrite' },
    );
    return new DynamoReleases(DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }), t.tableName, PRODUCT);
  }

  async function disagreements(environment: string, releaseIds: readonly string[]): Promise<string[]> {
    const read = async (key: { pk: string; sk: string }) => (await reader.send(new GetCommand({ TableName: t.tableName, Key: key, ConsistentRead: true }))).Item;
    const cell = await read(keys.board(PRODUCT, 'svc', environment));
    const releases = new Map<string, Release>();
    for (const id of releaseIds) {
      const item = await read(keys.release(id));
      if (item) releases.set(id, item as unknown as Release);
    }
    if (!cell || releases.size === 0) return [];
    const found: string[] = [];
    const newest = [...releases.keys()].sort().at(-1);
    if (cell.releaseId !== newest) found.push(`the cell shows ${String(cell.releaseId)}, the newest release is ${newest}`);
    const shown = releases.get(String(cell.releaseId));
    if (shown && shown.state !== cell.state) found.push(`the cell says ${String(cell.state)}, release ${shown.releaseId} is ${shown.state}`);
    if (cell.deployedReleaseId !== undefined) {
      const deployer = releases.get(String(cell.deployedReleaseId));
      if (!deployer?.deployedAt || deployer.commit !== cell.commit) found.push(`the cell runs ${String(cell.commit)}, not what ${String(cell.deployedReleaseId)} deployed`);
    } else if (cell.commit !== undefined) found.push(`the cell runs ${String(cell.commit)} with no release that deployed it`);
    if (cell.acceptedCommit !== undefined) {
      const acceptor = [...releases.values()].some((release) => release.commit === cell.acceptedCommit && release.history.some((change) => change.state === 'accepted'));
      if (!acceptor) found.push(`the cell says ${String(cell.acceptedCommit)} is accepted, no release accepted it`);
    }
    return found;
  }

  /** Runs the releases' steps in the order given, checking agreement after every write. */
  async function interleave(environment: string, lives: ReadonlyArray<keyof typeof LIVES>, order: readonly number[]): Promise<string[]> {
    const ids = lives.map((_, index) => newReleaseId(new Date(Date.UTC(2026, 0, 1, 0, index))));
    const created: string[] = [];
    const seen: string[] = [];
    const cmdb = observedCmdb(async () => {
      for (const problem of await disagreements(environment, created)) seen.push(problem);
    });
    const next = lives.map(() => -1);
    let clock = 0;
    for (const index of order) {
      const life = LIVES[lives[index]!]!;
      const step = next[index]!;
      if (step >= life.steps.length) continue;
      next[index] = step + 1;
      const at = new Date(Date.UTC(2026, 0, 2, 0, 0, clock++)).toISOString();
      const releaseId = ids[index]!;
      const commit = String(index + 1).repeat(40);
      if (step === -1) {
        created.push(releaseId);
        await cmdb.createRelease({ releaseId, repository: 'svc', environment, commit, kind: life.kind, requestedBy: 'test', createdAt: at });
        continue;
      }
      // Two releases racing for one cell may find their move refused; the board must agree all the same.
      const moved = await life.steps[step]!(cmdb, { releaseId }, at).then(
        () => true,
        (error: unknown) => {
          if (!(error instanceof ConflictError)) throw error;
          return false;
        },
      );
      // A deploy that was recorded is what runs there now, whichever release of the cell made it.
      if (moved && life.steps[step] === deployed) {
        const cell = (await reader.send(new GetCommand({ TableName: t.tableName, Key: keys.board(PRODUCT, 'svc', environment), ConsistentRead: true }))).Item;
        if (cell?.commit !== commit) seen.push(`after ${releaseId} deployed ${commit}, the cell runs ${String(cell?.commit)}`);
      }
    }
    return seen;
  }

  it.each(Object.keys(LIVES))('one release, %s', async (life) => {
    const steps = LIVES[life]!.steps.length + 1;

    const problems = await interleave(`one-${life.replace(/\W+/g, '-')}`, [life], Array.from({ length: steps }, () => 0));

    expect(problems).toEqual([]);
  });

  it('finds the cell accepted in the same write that accepts the release', async () => {
    // Prepare
    const environment = 'the-moment';
    const releaseId = newReleaseId(new Date(Date.UTC(2026, 0, 3)));
    const moments: Array<{ release: string; cell: string }> = [];
    const cmdb = observedCmdb(async () => {
      const release = (await reader.send(new GetCommand({ TableName: t.tableName, Key: keys.release(releaseId), ConsistentRead: true }))).Item;
      const cell = (await reader.send(new GetCommand({ TableName: t.tableName, Key: keys.board(PRODUCT, 'svc', environment), ConsistentRead: true }))).Item;
      if (release && cell) moments.push({ release: String(release.state), cell: String(cell.state) });
    });
    await cmdb.createRelease({ releaseId, repository: 'svc', environment, commit: 'c'.repeat(40), kind: 'release', requestedBy: 'test', createdAt: new Date().toISOString() });
    await cmdb.transitionRelease(releaseId, 'deploying', { by: 'test', at: new Date().toISOString() });
    await cmdb.recordDeployment(releaseId, { by: 'test', at: new Date().toISOString() });
    await cmdb.transitionRelease(releaseId, 'awaiting_acceptance', { by: 'test', at: new Date().toISOString() });

    // Act
    await cmdb.markAccepted(releaseId, { by: 'approver@example.com', at: new Date().toISOString() });

    // Assess: one write per move, and after each of them the cell said what the release said.
    expect(moments).toEqual(['prepared', 'deploying', 'testing', 'awaiting_acceptance', 'accepted'].map((state) => ({ release: state, cell: state })));
  });

  it('holds for two and three releases of one cell in any interleaving of their steps', async () => {
    const names = Object.keys(LIVES);
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...names), { minLength: 2, maxLength: 3 }).chain((lives) =>
          fc.tuple(
            fc.constant(lives),
            fc.shuffledSubarray(
              lives.flatMap((life, index) => Array.from({ length: LIVES[life]!.steps.length + 1 }, () => index)),
              { minLength: lives.flatMap((life) => Array.from({ length: LIVES[life]!.steps.length + 1 })).length },
            ),
          ),
        ),
        async ([lives, order]) => {
          // A shuffled list of "release i takes its next step" runs every step of every release once.
          const problems = await interleave(`many-${run++}`, lives, order);
          expect(problems).toEqual([]);
        },
      ),
      { numRuns: 25 },
    );
  }, 120_000);
});
