import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal, type RunningDynamoDbLocal } from '../adapters/local/dynamodb/dynamodb-local';
import { startCloudFormationValidator, type CloudFormationValidator } from './support/cloudformation-validator';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    /** Where test/support/release-template.ts keeps the templates it synthesized, for every file of the run. */
    templateCacheDir: string;
    /** Where test Apps write their cloud assemblies (test/support/cdk-app.ts), removed after the run. */
    cdkOutDir: string;
    /** CDK's CloudFormation validation, for the whole run (test/support/cloudformation-findings.ts). */
    cloudFormationValidator: string;
  }
}

/**
 * Every project of vitest.config.mts runs this setup; they share one DynamoDB Local and one validation
 * service, kept on the main process's global object (vitest may load this module once per project), and
 * stopped by the last teardown.
 */
interface Shared {
  dynamo: Promise<RunningDynamoDbLocal>;
  validator: Promise<CloudFormationValidator>;
  templateCacheDir: string;
  cdkOutDir: string;
  users: number;
}
const holder = globalThis as typeof globalThis & { cotTestShared?: Shared };

/**
 * One DynamoDB Local (in memory) for the whole run, where each test file makes its own tables, one
 * folder for the templates the files' harnesses share, one for the test Apps' cloud assemblies, and one
 * CloudFormation validation service.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const shared = (holder.cotTestShared ??= {
    dynamo: startDynamoDbLocal(),
    validator: startCloudFormationValidator(),
    templateCacheDir: mkdtempSync(join(tmpdir(), 'cot-test-templates-')),
    cdkOutDir: mkdtempSync(join(tmpdir(), 'cot-test-cdk-out-')),
    users: 0,
  });
  shared.users += 1;
  const [dynamo, validator] = await Promise.all([shared.dynamo, shared.validator]);
  project.provide('dynamoEndpoint', dynamo.endpoint);
  project.provide('templateCacheDir', shared.templateCacheDir);
  project.provide('cdkOutDir', shared.cdkOutDir);
  project.provide('cloudFormationValidator', validator.endpoint);
  return async () => {
    shared.users -= 1;
    if (shared.users > 0) return;
    holder.cotTestShared = undefined;
    for (const dir of [shared.templateCacheDir, shared.cdkOutDir]) rmSync(dir, { recursive: true, force: true });
    await Promise.all([dynamo.stop(), validator.stop()]);
  };
}
