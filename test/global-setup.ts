import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal, type RunningDynamoDbLocal } from '../adapters/local/dynamodb/dynamodb-local';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}

/**
 * Every project of vitest.config.mts runs this setup; they share one DynamoDB Local, kept on the main
 * process's global object (vitest may load this module once per project), and stopped by the last teardown.
 */
interface Shared {
  dynamo: Promise<RunningDynamoDbLocal>;
  users: number;
}
const holder = globalThis as typeof globalThis & { cotTestDynamo?: Shared };

/** One DynamoDB Local (in memory) for the whole run; each test file makes its own tables in it. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const shared = (holder.cotTestDynamo ??= { dynamo: startDynamoDbLocal(), users: 0 });
  shared.users += 1;
  const dynamo = await shared.dynamo;
  project.provide('dynamoEndpoint', dynamo.endpoint);
  return async () => {
    shared.users -= 1;
    if (shared.users > 0) return;
    holder.cotTestDynamo = undefined;
    await dynamo.stop();
  };
}
