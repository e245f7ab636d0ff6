/**
 * Files that change what outlives them in a process: module mocks (`vi.mock`), SDK clients mocked by
 * aws-sdk-client-mock (it patches the client classes in node_modules), environment variables, fake timers.
 * Each runs in a process of its own; every other file shares its process with others, one after another
 * (vitest.config.mts). test/lint/test-isolation.test.ts keeps this list complete.
 */
export const ISOLATED_FILES: readonly string[] = [
  'test/lambdas/aws-wiring.test.ts',
  'test/lambdas/cold-start.test.ts',
  'test/cli/doctor-aws.test.ts',
  'test/adapters/aws/sns-notices.test.ts',
  'test/adapters/aws/ses-mailer.test.ts',
  'test/adapters/aws/secrets-manager-store.test.ts',
  'test/adapters/aws/step-functions-engine.test.ts',
  'test/adapters/local/dynamodb-local.test.ts',
  'test/adapters/local/orphans.test.ts',
  'test/adapters/local/buildspec/buildspec-runner.test.ts',
];
