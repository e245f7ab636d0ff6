import { Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadConfig } from '../../core/config-file';
import { ReleaseStack } from '../../lib/release-stack';
import { constructTestApp } from './cdk-app';

let shipped: { readonly stack: ReleaseStack; readonly template: Template } | undefined;

/**
 * The stack of the shipped release.config.yaml, cdk-nag clean, synthesized once per test process for
 * every test that reads it (test files that share a process share it: read it, never change it).
 * test/lib/release-stack.test.ts asserts CDK's CloudFormation validation of it (`cloudFormationFindings`).
 */
export function shippedStack(): { readonly stack: ReleaseStack; readonly template: Template } {
  if (!shipped) {
    const app = constructTestApp();
    const stack = new ReleaseStack(app, 'Test', { config: loadConfig('release.config.yaml') });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    // Throws with cdk-nag's report when any finding is left unacknowledged.
    shipped = { stack, template: Template.fromStack(stack) };
  }
  return shipped;
}
