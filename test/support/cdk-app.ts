import { App } from 'aws-cdk-lib';

/**
 * An App for a test that looks at one construct's properties: no Lambda bundling, and no CDK built-in
 * CloudFormation validation (most of a synth's time). The whole shipped stack is still synthesized with
 * that validation by test/lib/release-stack.test.ts, test/lib/aws-targets.test.ts and bin/app.test.ts.
 */
export function constructTestApp(context: Record<string, unknown> = {}): App {
  return new App({ builtinCloudFormationValidation: false, context: { 'aws:cdk:bundling-stacks': [], ...context } });
}
