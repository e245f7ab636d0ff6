import type { CmdbStores } from '../../core/cmdb-stores';

/**
 * The IAM actions of DynamoDB that the CMDB stores use (`dynamodb:<action>`). A transaction is no action
 * of its own: each of its items needs the action of its kind (`Put` -> PutItem, `Update` -> UpdateItem,
 * `Delete` -> DeleteItem, `ConditionCheck` -> ConditionCheckItem); `BatchGetItem` and `BatchWriteItem` are.
 */
export type DynamoAction = 'GetItem' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'ConditionCheckItem' | 'Query' | 'BatchGetItem' | 'BatchWriteItem';

/** What one store method needs: actions on the table itself, and on its index (`CMDB_SCHEMA.index`). */
export interface MethodAccess {
  readonly table?: readonly DynamoAction[];
  readonly index?: readonly DynamoAction[];
}

type StoreAccess<S> = { readonly [M in keyof S]: MethodAccess };

/**
 * Every method of every DynamoDB store, with the actions it sends (read from the adapters in this
 * folder, error paths included). `lib/cmdb-table.ts` grants from this map; the tests record each command
 * a store method sends to DynamoDB Local and fail when it is not covered here
 * (`test/support/cmdb-recorder.ts`, `test/adapters/aws/cmdb-access.test.ts`). No AWS SDK here: `lib/`
 * imports this file.
 */
export const CMDB_ACCESS = {
  releases: {
    // One partition of the table: board cells and pending-approval markers.
    board: { table: ['Query'] },
    boardCell: { table: ['GetItem'] },
    history: { index: ['Query'] },
    // A transaction of the release's Put and the board cell's Update; when the board is newer, a Put alone.
    createRelease: { table: ['PutItem', 'UpdateItem'] },
    // Reads the board cell and its active release; one transaction puts the release, supersedes the
    // active one if it still waits (Update) and moves the cell (Update), each conditional.
    startExclusive: { table: ['GetItem', 'PutItem', 'UpdateItem'] },
    getRelease: { table: ['GetItem'] },
    // Reads the release, moves it and its cell in one transaction of Updates, reads it back.
    transitionRelease: { table: ['GetItem', 'UpdateItem'] },
    recordDeployment: { table: ['GetItem', 'UpdateItem'] },
    // As a transition, plus in the same transaction the append-only acceptance's conditional Put and the
    // Update of the commit's acceptance item (first acceptor kept, count added).
    markAccepted: { table: ['GetItem', 'UpdateItem', 'PutItem'] },
    isAccepted: { table: ['GetItem'] },
    acceptedArtifact: { table: ['GetItem'] },
    // One conditional Update of the release item.
    recordArtifact: { table: ['UpdateItem'] },
    // The first page or pages of `acceptances`.
    acceptedCommits: { index: ['Query'] },
    // Acceptances newest first, a Query of the index per page.
    acceptances: { index: ['Query'] },
    setHeld: { table: ['UpdateItem'] },
  },
  approvals: {
    // A transaction of two Puts (the approval and its pending marker) and a ConditionCheck that its
    // release still waits at the gate.
    createApproval: { table: ['PutItem', 'ConditionCheckItem'] },
    getApproval: { table: ['GetItem'] },
    // Reads the approval; one transaction updates it and its release and deletes its pending marker.
    decideApproval: { table: ['GetItem', 'UpdateItem', 'DeleteItem'] },
    renewApprovalToken: { table: ['UpdateItem'] },
    markApprovalNotified: { table: ['UpdateItem'] },
    markApprovalReminded: { table: ['UpdateItem'] },
    closeApproval: { table: ['GetItem', 'UpdateItem', 'DeleteItem'] },
  },
  pushes: {
    // `claimAndRecordPush` without the claim, then `advanceHead`.
    recordPush: { table: ['UpdateItem', 'BatchGetItem', 'PutItem', 'Query'] },
    // One transaction, no read: the delivery's claim (a conditional Put), the commit's Update and the
    // Updates of its history's reverse entries.
    claimAndRecordPush: { table: ['PutItem', 'UpdateItem'] },
    // Reads the branch head with the commit, its reverse entry and the repository's index, then what the
    // head's commit tells (BatchGetItem, each time), moves the head by a conditional Put; the first run of
    // a repository reads its commits (Query) and puts its index.
    advanceHead: { table: ['BatchGetItem', 'PutItem', 'Query'] },
    branchHead: { table: ['GetItem'] },
    getCommit: { table: ['GetItem'] },
    recordTag: { table: ['PutItem'] },
    // A full SHA or a tag is a GetItem; a short SHA is a Query of the repository's partition.
    resolveRef: { table: ['GetItem', 'Query'] },
  },
  leases: {
    acquireLease: { table: ['PutItem'] },
    releaseLease: { table: ['DeleteItem'] },
    leaseHolder: { table: ['GetItem'] },
  },
  deliveries: {
    claimDelivery: { table: ['PutItem'] },
    releaseDelivery: { table: ['DeleteItem'] },
  },
  promotions: {
    // Reads the environment's active promotion, each member's cell and active release; one transaction
    // puts the promotion, the active pointer and each member release, and updates each cell.
    startPromotion: { table: ['GetItem', 'PutItem', 'UpdateItem'] },
    transitionPromotion: { table: ['UpdateItem', 'GetItem'] },
    // One transaction of conditional lease Puts.
    claimLeases: { table: ['PutItem'] },
    // One transaction: the board's row and the append-only log entry.
    recordAcceptedSet: { table: ['PutItem'] },
    acceptedSets: { table: ['Query'] },
    setHistory: { table: ['Query'] },
  },
  metrics: {
    // An environment's history from a time on, a Query of the index per page.
    deployments: { index: ['Query'] },
    // Commits by their keys, 100 at a time.
    commitTimes: { table: ['BatchGetItem'] },
  },
} as const satisfies { readonly [S in keyof CmdbStores]: StoreAccess<CmdbStores[S]> };

export type StoreName = keyof CmdbStores;
export type StoreMethod<S extends StoreName> = keyof (typeof CMDB_ACCESS)[S] & string;

/** Some methods of some stores: what one handler's use cases call. */
export type CmdbUse = { readonly [S in StoreName]?: readonly StoreMethod<S>[] };

/** The actions a use needs, on the table and on its index, each sorted and once. */
export function cmdbActions(use: CmdbUse): { table: DynamoAction[]; index: DynamoAction[] } {
  const table = new Set<DynamoAction>();
  const index = new Set<DynamoAction>();
  for (const [store, methods] of Object.entries(use) as Array<[StoreName, readonly string[]]>) {
    const access: Record<string, MethodAccess> = CMDB_ACCESS[store];
    for (const method of methods) {
      const needs = access[method];
      if (!needs) throw new Error(`${store}.${method} is no method of the CMDB stores`);
      needs.table?.forEach((action) => table.add(action));
      needs.index?.forEach((action) => index.add(action));
    }
  }
  return { table: [...table].sort(), index: [...index].sort() };
}
