import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal, type RunningDynamoDbLocal } from '../adapters/local/dynamodb/dynamodb-local';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    /** Where test/support/release-template.ts keeps the templates it synthesized, for every file of the run. */
    templateCacheDir: string;
  }
}

/**
 * Every project of vitest.config.mts runs this setup; they share one DynamoDB Local, kept on the main
 * process's global object (vitest may load this module once per project), and stopped by the last teardown.
 */
interface Shared {
  dynamo: Promise<RunningDynamoDbLocal>;
  templateCacheDir: string;
  users: number;
}
const holder = globalThis as typeof globalThis & { cotTestDynamo?: Shared };

/**
 * One DynamoDB Local (in memory) for the whole run, where each test file makes its own tables, and one
 * folder for the templates the files' harnesses share.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const shared = (holder.cotTestDynamo ??= { dynamo: startDynamoDbLocal(), templateCacheDir: mkdtempSync(join(tmpdir(), 'cot-test-templates-')), users: 0 });
  shared.users += 1;
  const dynamo = await shared.dynamo;
  project.provide('dynamoEndpoint', dynamo.endpoint);
  project.provide('templateCacheDir', shared.templateCacheDir);
  return async () => {
    shared.users -= 1;
    if (shared.users > 0) return;
    holder.cotTestDynamo = undefined;
    rmSync(shared.templateCacheDir, { recursive: true, force: true });
    await dynamo.stop();
  };
}
