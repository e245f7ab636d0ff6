import { App } from 'aws-cdk-lib';
import { CDK_JSON_CONTEXT } from '../../adapters/local/cdk-json';

export { CDK_JSON_CONTEXT };

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
