import { Stage, type PolicyValidationStack, type Stack } from 'aws-cdk-lib';
import { UNKNOWN_ACCOUNT, UNKNOWN_REGION } from 'aws-cdk-lib/cx-api';
import { inject } from 'vitest';

/**
 * What CDK's CloudFormation validation finds in `stack`'s template, one line a finding: the check `cdk
 * synth` runs after every synth, where cdk.json's `@aws-cdk/core:validateAgainstDefaultRules` makes an
 * error stop it. An App made in a test does not read cdk.json, so there the same check would only print
 * warnings nobody reads: tests synthesize with it off (`constructTestApp`) and assert on this instead.
 * Stricter than `cdk synth` in two ways: a warning is a finding too, and `Validations.of(...).acknowledge`
 * does not hide one (lib/ acknowledges cdk-nag rules only). Answered by the run's validation service
 * (test/support/cloudformation-validator.ts).
 */
export async function cloudFormationFindings(stack: Stack): Promise<string[]> {
  const stage = Stage.of(stack);
  if (!stage) throw new Error(`${stack.node.path} is in no App`);
  // The assembly the test's own synth made (Template.fromStack): a stage synthesizes once.
  const artifact = stage.synth().getStackArtifact(stack.artifactId);
  const { account, region } = artifact.environment;
  // As CDK's synth hands the stack to its validation plugins.
  const stackTemplates: PolicyValidationStack[] = [
    {
      stackConstructPath: artifact.hierarchicalId,
      templatePath: artifact.templateFullPath,
      accountId: account !== UNKNOWN_ACCOUNT ? account : undefined,
      region: region !== UNKNOWN_REGION ? region : undefined,
    },
  ];
  const response = await fetch(`${inject('cloudFormationValidator')}/validate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ stackTemplates }) });
  if (!response.ok) throw new Error(`the CloudFormation validation service failed: ${await response.text()}`);
  return ((await response.json()) as { findings: string[] }).findings;
}
