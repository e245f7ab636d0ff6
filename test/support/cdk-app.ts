import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { App, type AppProps } from 'aws-cdk-lib';
import { inject } from 'vitest';
import { CDK_JSON_CONTEXT, templatesOnlyAppProps } from '../../adapters/local/cdk-json';

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
  return new App(testAppProps({ ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [], ...context }));
}

/**
 * The props of any App a test makes, with `context` (cdk.json's is not added): `cdk synth`'s templates
 * but for the CDKMetadata resource, without what only a deploy reads (templatesOnlyAppProps), and the
 * cloud assembly in a folder of its own inside the run's (test/global-setup.ts), which is removed after
 * the run rather than left in the system's temporary folder.
 */
export function testAppProps(context: Readonly<Record<string, unknown>>): AppProps {
  return templatesOnlyAppProps(mkdtempSync(join(inject('cdkOutDir'), 'app-')), context);
}
