import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../core/config-file';
import { synthesizeReleaseTemplate } from '../../../adapters/local/release-template';
import { ReleaseStack } from '../../../lib/release-stack';
import { CDK_JSON_CONTEXT } from '../../support/cdk-app';

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
    // Prepare: the shipped config (no other account, so local mode runs it as it is) and a scratch folder.
    const config = loadConfig('release.config.yaml');
    expect(config.environments.filter((env) => env.account ?? env.region ?? env.deployRoleArn)).toEqual([]);
    const scratch = mkdtempSync(join(tmpdir(), 'cot-synth-test-'));
    try {
      // Act
      const template = synthesizeReleaseTemplate(config, scratch);

      // Assess: the folder it wrote the assembly in is gone, and the template is the one an App with
      // the construct tree, creation stack traces and analytics metadata makes.
      expect(readdirSync(scratch)).toEqual([]);
      const app = new App({ outdir: join(scratch, 'full'), builtinCloudFormationValidation: false, context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
      const stack = new ReleaseStack(app, `${config.product}-release`, { config });
      const full = app.synth();
      expect(full.tree()).toBeDefined();
      expect(template).toEqual(full.getStackArtifact(stack.artifactId).template);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
