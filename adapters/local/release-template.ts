import { App } from 'aws-cdk-lib';
import type { ReleaseConfig } from '../../core/config';
import { ReleaseStack } from '../../lib/release-stack';
import type { CfnTemplate } from './workflow';

/**
 * The CloudFormation template of the stack `cdk deploy` would create for this config, synthesized in
 * process. Local mode runs the state machines it contains: the same definitions as on AWS.
 * Lambda bundling is skipped: local mode runs the handlers' TypeScript in process.
 */
export function synthesizeReleaseTemplate(config: ReleaseConfig): CfnTemplate {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new ReleaseStack(app, `${config.product}-release`, { config });
  const assembly = app.synth();
  return assembly.getStackArtifact(stack.artifactId).template as CfnTemplate;
}
