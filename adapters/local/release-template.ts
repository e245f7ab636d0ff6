import { App } from 'aws-cdk-lib';
import type { ReleaseConfig } from '../../core/config';
import { ReleaseStack } from '../../lib/release-stack';
import { CDK_JSON_CONTEXT } from './cdk-json';
import type { CfnTemplate } from './workflow';

/**
 * The CloudFormation template of the stack `cdk deploy` would create for this config, synthesized in
 * process with cdk.json's context. Local mode runs the state machines it contains: the same definitions
 * as on AWS, except that local mode deploys on this machine, so no environment runs as a role of another
 * account (no `COT_DEPLOY_ROLE_ARN` in a local run; see docs/configuration.md#deploy-targets).
 * Lambda bundling is skipped: local mode runs the handlers' TypeScript in process.
 */
export function synthesizeReleaseTemplate(config: ReleaseConfig): CfnTemplate {
  // cdk.json's context (its feature flags change the template) as `cdk synth` has it. CDK's built-in
  // CloudFormation validation (on by default) takes most of a synth's time; this template is only run
  // here, and the same stack is validated by `cdk synth` and the tests.
  const app = new App({ builtinCloudFormationValidation: false, context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
  const stack = new ReleaseStack(app, `${config.product}-release`, { config: onThisMachine(config) });
  const assembly = app.synth();
  return assembly.getStackArtifact(stack.artifactId).template as CfnTemplate;
}

function onThisMachine(config: ReleaseConfig): ReleaseConfig {
  const environments = config.environments.map((env) => {
    const local = { ...env };
    delete local.account;
    delete local.region;
    delete local.deployRoleArn;
    return local;
  });
  return { ...config, environments };
}
