import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';

/**
 * cdk.json's context (its feature flags among it), which the CDK CLI hands every `cdk synth` and deploy.
 * An App made in a test does not read cdk.json, and those flags change the template: give it this.
 */
export const CDK_JSON_CONTEXT = (JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> }).context;

/**
 * An App for a test: cdk.json's context, as `cdk synth` has it, no Lambda bundling, and no CDK built-in
 * CloudFormation validation. That validation, run by a test's App, only prints what it finds, and
 * building its engine costs seconds of CPU in every process: tests that judge a whole stack assert on
 * `cloudFormationFindings` (test/support/cloudformation-findings.ts) instead (test/lib/release-stack.test.ts,
 * aws-targets.test.ts, chat-notifications.test.ts and operations-grants.test.ts); bin/app.test.ts runs
 * the real synth.
 */
export function constructTestApp(context: Record<string, unknown> = {}): App {
  return new App({ builtinCloudFormationValidation: false, context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [], ...context } });
}
