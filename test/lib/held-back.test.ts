import { Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PROVIDERS, ReleaseConfig } from '../../core/config';
import { ReleaseStack } from '../../lib/release-stack';
import { constructTestApp } from '../support/cdk-app';

/**
 * A product the size of a real one, which no example in this repository has: 15 repositories on all three
 * hosts (the GitLab ones through a connection), three environments in three accounts, each with a deploy role.
 */
const HOSTS = { github: 'github.com', gitlab: 'gitlab.com', bitbucket: 'bitbucket.org' } as const;
const config = ReleaseConfig.parse({
  product: 'platform',
  repositories: Array.from({ length: 15 }, (_, index) => {
    const provider = PROVIDERS[index % PROVIDERS.length]!;
    return {
      name: `service-${String(index + 1).padStart(2, '0')}`,
      provider,
      url: `https://${HOSTS[provider]}/platform/service-${index + 1}`,
      ...(provider === 'gitlab' ? { connectionArn: `arn:aws:codeconnections:eu-west-1:111111111111:connection/0a1b2c3d-4e5f-6789-abcd-ef01234567${String(index).padStart(2, '0')}` } : {}),
    };
  }),
  environments: [
    { name: 'integration', mode: 'continuous', branch: 'main', deployRoleArn: 'arn:aws:iam::222222222222:role/cot-deployer' },
    { name: 'staging', mode: 'approval', approvers: ['qa@example.com'], deployRoleArn: 'arn:aws:iam::333333333333:role/cot-deployer', region: 'eu-central-1' },
    { name: 'production', mode: 'approval', approvers: ['rm@example.com'], account: '444444444444', deployRoleArn: 'arn:aws:iam::444444444444:role/cot-deployer', approveBeforeDeploy: true, autoRollback: true },
  ],
  notifications: { from: 'releases@example.com' },
});

describe('a 15-repository, 3-account product', () => {
  let template: Template;
  beforeAll(() => {
    const app = constructTestApp();
    const stack = new ReleaseStack(app, 'platform-release', { config });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    // Throws with cdk-nag's report when any finding is left unacknowledged.
    template = Template.fromStack(stack);
  }, 60_000);

  it('synthesizes cdk-nag clean, within CloudFormation\'s resource limit', () => {
    template.resourceCountIs('AWS::CodeBuild::Project', 45);
    template.resourceCountIs('AWS::SecretsManager::Secret', 16);
    expect(Object.keys(template.toJSON().Resources as object).length).toBeLessThanOrEqual(500);
  });

  it('gives each environment one deploy role, assumable targets only there', () => {
    for (const environment of ['Integration', 'Staging', 'Production']) template.hasOutput(`DeployRole${environment}`, {});
    const assumers = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) => JSON.stringify(policy.Properties.PolicyDocument).includes('sts:AssumeRole'));
    expect(assumers).toHaveLength(3);
  });

  it('passes cfn-lint without errors', (context) => {
    const dir = mkdtempSync(join(tmpdir(), 'cot-held-back-'));
    try {
      const file = join(dir, 'platform-release.template.json');
      writeFileSync(file, JSON.stringify(template.toJSON(), null, 1));
      // No check ignored: the config is bundled with each function's code, so no environment nears
      // E3697's 4 KB (lambdas/handler-environment.ts).
      const lint = spawnSync('cfn-lint', ['--format', 'parseable', '--', file], { encoding: 'utf8' });
      // Not installed (no such command, or a pyenv shim without it): nothing to judge the template by.
      if ((lint.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT' || lint.status === 127) {
        context.skip('cfn-lint is not installed');
        return;
      }
      // Exit bits: 2 errors, 4 warnings, 8 informational; 1 means it could not run.
      expect(lint.status === 1 || ((lint.status ?? 1) & 2) !== 0, lint.stdout + lint.stderr).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
