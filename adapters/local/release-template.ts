import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import type { ReleaseConfig } from '../../core/config';
import { ReleaseStack } from '../../lib/release-stack';
import { CDK_JSON_CONTEXT, templatesOnlyAppProps } from './cdk-json';
import type { CfnTemplate } from './workflow';

/**
 * The CloudFormation template of the stack `cdk deploy` would create for this config, synthesized in
 * process with cdk.json's context. Local mode runs the state machines it contains: the same definitions
 * as on AWS, except that local mode deploys on this machine, so no environment runs as a role of another
 * account (no `COT_DEPLOY_ROLE_ARN` in a local run; see docs/configuration.md#deploy-targets).
 * Lambda bundling is skipped: local mode runs the handlers' TypeScript in process. The cloud assembly is
 * written to a new folder in `scratch` and removed once the template is read.
 */
export function synthesizeReleaseTemplate(config: ReleaseConfig, scratch: string = tmpdir()): CfnTemplate {
  // cdk.json's context (its feature flags change the template) as `cdk synth` has it, without what only a
  // deploy reads (templatesOnlyAppProps). CDK's built-in CloudFormation validation, off there, would take
  // most of a synth's time; this template is only run here, and the same stack is validated by `cdk
  // synth` and the tests.
  const outdir = mkdtempSync(join(scratch, 'cot-synth-'));
  try {
    const app = new App(templatesOnlyAppProps(outdir, { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [] }));
    const stack = new ReleaseStack(app, `${config.product}-release`, { config: onThisMachine(config) });
    // Read before the folder goes: the artifact reads its template file on first use.
    return app.synth().getStackArtifact(stack.artifactId).template as CfnTemplate;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
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
