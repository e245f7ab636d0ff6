import { AsyncLocalStorage } from 'node:async_hooks';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CMDB_ACCESS, type MethodAccess, type StoreName } from '../../adapters/aws/cmdb-access';
import type { CmdbStores } from '../../core/cmdb-stores';

/** One IAM action a command needs, and on what: the table itself or its index. */
export interface Need {
  readonly action: string;
  readonly on: 'table' | 'index';
}

/**
 * What IAM asks of one DynamoDB command, by its name and input (as the middleware sees it): a transaction
 * needs the action of each of its items, a Query on an index needs Query on that index.
 */
export function needsOf(commandName: string, input: Record<string, unknown>): Need[] {
  const action = commandName.replace(/Command$/, '');
  switch (action) {
    case 'TransactWriteItems': {
      const kinds = { Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', ConditionCheck: 'ConditionCheckItem' } as const;
      const items = (input.TransactItems ?? []) as Array<Partial<Record<keyof typeof kinds, unknown>>>;
      return items.flatMap((item) => (Object.keys(item) as Array<keyof typeof kinds>).map((kind) => ({ action: kinds[kind] ?? `TransactWriteItems.${kind}`, on: 'table' as const })));
    }
    case 'TransactGetItems':
      return ((input.TransactItems ?? []) as unknown[]).map(() => ({ action: 'GetItem', on: 'table' }));
    case 'Query':
    case 'Scan':
      return [{ action, on: input.IndexName ? 'index' : 'table' }];
    default:
      return [{ action, on: 'table' }];
  }
}

const running = new AsyncLocalStorage<{ store: StoreName; method: string }>();
/** `store.method` -> every `action@on` it was seen to need. */
const seen = new Map<string, Set<string>>();
const violations: string[] = [];

/** What each store method was seen to send so far in this test file, as `action@table|index`. */
export function recordedNeeds(): ReadonlyMap<string, ReadonlySet<string>> {
  return seen;
}

/** Forgets what was seen and refused: each test file starts afresh (test/setup.ts), whatever ran before it in its process. */
export function resetCmdbRecorder(): void {
  seen.clear();
  violations.splice(0);
}

/** Commands sent since the last call that `adapters/aws/cmdb-access.ts` does not cover; empties the list. */
export function takeCmdbViolations(): string[] {
  return violations.splice(0);
}

/**
 * Records every command the stores send through `client`, attributed to the store method that sent it,
 * and refuses (as IAM would, with `AccessDeniedException`) one that `CMDB_ACCESS` does not grant that
 * method. Commands sent outside a store method (a test seeding items) are not the stores' and pass.
 */
export function recordCmdb<T extends CmdbStores>(client: DynamoDBClient, stores: T): T {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const caller = running.getStore();
      if (caller) {
        const key = `${caller.store}.${caller.method}`;
        const granted: MethodAccess = (CMDB_ACCESS[caller.store] as Record<string, MethodAccess>)[caller.method] ?? {};
        for (const need of needsOf(String(context.commandName), args.input as Record<string, unknown>)) {
          seen.set(key, (seen.get(key) ?? new Set()).add(`${need.action}@${need.on}`));
          if (!(granted[need.on] as readonly string[] | undefined)?.includes(need.action)) {
            const message = `${key} sent ${String(context.commandName)}, which needs dynamodb:${need.action} on the ${need.on}: add it to CMDB_ACCESS (adapters/aws/cmdb-access.ts)`;
            violations.push(message);
            throw Object.assign(new Error(message), { name: 'AccessDeniedException' });
          }
        }
      }
      return next(args);
    },
    { step: 'initialize', name: 'cmdbAccessRecorder' },
  );
  const wrapped = Object.fromEntries(
    (Object.keys(CMDB_ACCESS) as StoreName[]).map((store) => [store, attributed(store, stores[store])]),
  );
  return { ...stores, ...wrapped };
}

/**
 * The store, its public methods run as `store.method` for the recorder. A method that returns an async
 * iterable (`releases.acceptances`) sends its commands as the caller goes on, so each step of the
 * iteration runs as that method too.
 */
function attributed<S extends object>(store: StoreName, target: S): S {
  const methods = CMDB_ACCESS[store] as Record<string, MethodAccess>;
  return new Proxy(target, {
    get(object, property, receiver) {
      const value: unknown = Reflect.get(object, property, receiver);
      if (typeof property !== 'string' || typeof value !== 'function' || !(property in methods)) return value;
      const caller = { store, method: property };
      return (...args: unknown[]) => {
        const result = running.run(caller, () => (value as (...a: unknown[]) => unknown).apply(object, args));
        return isAsyncIterable(result) ? iteratedAs(caller, result) : result;
      };
    },
  });
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && !(value instanceof Promise) && Symbol.asyncIterator in value;
}

/** `iterable`, each `next`, `return` and `throw` of its iterator run as `caller`. */
function iteratedAs<T>(caller: { store: StoreName; method: string }, iterable: AsyncIterable<T>): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator]: () => {
      const iterator = running.run(caller, () => iterable[Symbol.asyncIterator]());
      return {
        next: (...args: [] | [unknown]) => running.run(caller, () => iterator.next(...args)),
        return: (value?: unknown) => running.run(caller, () => iterator.return?.(value) ?? Promise.resolve({ done: true as const, value: undefined })),
        throw: (error?: unknown) => running.run(caller, () => iterator.throw?.(error) ?? Promise.reject(error)),
      } as AsyncIterator<T>;
    },
  };
}
