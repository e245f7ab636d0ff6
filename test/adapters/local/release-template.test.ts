import { readdirSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../core/config-file';
import { synthesizeReleaseTemplate } from '../../../adapters/local/release-template';
import { ReleaseStack } from '../../../lib/release-stack';
import { CDK_JSON_CONTEXT } from '../../support/cdk-app';
import { tempDir } from '../../support/temp-dir';

describe('the template local mode runs', () => {
  it('leaves deploy targets out: local runs deploy on this machine and never get COT_DEPLOY_ROLE_ARN', () => {
    // Prepare: the shipped config with production in another account.
    const shipped = loadConfig('release.config.yaml');
    const config = {
      ...shipped,
      environments: shipped.environments.map((env) => (env.name === 'production' ? { ...env, deployRoleArn: 'arn:aws:iam::444444444444:role/cot-deployer', region: 'eu-central-1' } : env)),
    };

    // Act
    const template = JSON.stringify(synthesizeReleaseTemplate(config));

    // Assess
    expect(template).not.toContain('COT_DEPLOY_ROLE_ARN');
    expect(template).not.toContain('ServiceRoleOverride');
    expect(template).not.toContain('DeployTargetsRole');
    expect(template).toContain('COT_ENVIRONMENT');
  });

  it('is the template of a synth that records the construct tree, stack traces and analytics, and leaves no cloud assembly behind', () => {
    // Prepare: the shipped config (no other account, so local mode runs it as it is), a scratch folder,
    // and the template of an App with every kind of metadata, as bin/app.ts makes it (outside the CLI,
    // which would add the CDKMetadata resource local mode leaves out).
    const config = loadConfig('release.config.yaml');
    expect(config.environments.filter((env) => env.account ?? env.region ?? env.deployRoleArn)).toEqual([]);
    const scratch = tempDir('synth-scratch');
    const app = new App({ outdir: tempDir('full-synth'), builtinCloudFormationValidation: false, context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
    const stack = new ReleaseStack(app, `${config.product}-release`, { config });
    const full = app.synth();
    expect(full.tree()).toBeDefined();
    expect(full.getStackArtifact(stack.artifactId).findMetadataByType('aws:cdk:creationStack')).not.toEqual([]);

    // Act
    const template = synthesizeReleaseTemplate(config, scratch);

    // Assess: the same template, key for key in the same order, and the folder it wrote the assembly in
    // is gone.
    expect(JSON.stringify(template, null, 1)).toBe(JSON.stringify(full.getStackArtifact(stack.artifactId).template, null, 1));
    expect(readdirSync(scratch)).toEqual([]);
  });
});
