import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../core/config-file';
import { synthesizeReleaseTemplate } from '../../../adapters/local/release-template';

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
});
