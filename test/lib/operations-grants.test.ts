import { Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { ReleaseConfig } from '../../core/config';
import { loadConfig } from '../../core/config-file';
import { ReleaseStack } from '../../lib/release-stack';
import { constructTestApp } from '../support/cdk-app';
import { cloudFormationFindings } from '../support/cloudformation-findings';
import { shippedStack } from '../support/shipped-stack';

/** The stack of `config`, with cdk-nag (a finding left unacknowledged throws). */
function synthesize(config: ReleaseConfig): { template: Template; stack: ReleaseStack } {
  const app = constructTestApp();
  const stack = new ReleaseStack(app, 'Test', { config });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { template: Template.fromStack(stack), stack };
}

type Statement = { Action: string | string[]; Resource: unknown };

/** Every statement of the policies attached to the role whose logical id starts with `rolePrefix`. */
function statementsOf(template: Template, rolePrefix: string): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) => (policy.Properties.Roles as Array<{ Ref: string }>).some((role) => role.Ref.startsWith(rolePrefix)))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
}

/** The roles (by logical id) allowed `action`, with the resources they are allowed it on. */
function grantsOf(template: Template, action: string): Record<string, unknown[]> {
  const result: Record<string, unknown[]> = {};
  for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
    for (const statement of policy.Properties.PolicyDocument.Statement as Statement[]) {
      if (![statement.Action].flat().includes(action)) continue;
      for (const role of policy.Properties.Roles as Array<{ Ref: string }>) result[role.Ref] = [...(result[role.Ref] ?? []), ...[statement.Resource].flat()];
    }
  }
  return result;
}

/** The environment of the function tagged `handler`. */
function environmentOf(template: Template, handler: string): Record<string, unknown> {
  const fn = Object.values(template.findResources('AWS::Lambda::Function')).find((candidate) =>
    (candidate.Properties.Tags as Array<{ Key: string; Value: string }>).some((tag) => tag.Key === 'cot:handler' && tag.Value === handler),
  );
  return (fn?.Properties.Environment.Variables ?? {}) as Record<string, unknown>;
}

const shipped = loadConfig('release.config.yaml');

describe('commit statuses on AWS (docs/operations.md#commit-statuses)', () => {
  let template: Template;
  let stack: ReleaseStack;
  beforeAll(() => {
    ({ template, stack } = synthesize(
      ReleaseConfig.parse({
        ...shipped,
        repositories: [
          ...shipped.repositories.map((repository) => ({ ...repository, commitStatus: { tokenSecret: 'acme/github-token' } })),
          { name: 'billing', provider: 'gitlab', url: 'https://gitlab.com/acme/billing', commitStatus: { tokenSecret: 'acme/gitlab-token' } },
        ],
      }),
    ));
  });

  it('passes CloudFormation validation as `cdk synth` runs it (errors stop it there)', async () => {
    expect(await cloudFormationFindings(stack)).toEqual([]);
  });

  it('lets exactly the two step functions read exactly the configured token secrets, GetSecretValue only', () => {
    const reads = grantsOf(template, 'secretsmanager:GetSecretValue');
    const tokenReaders = Object.entries(reads).filter(([, resources]) => JSON.stringify(resources).includes('-token-??????'));
    expect(tokenReaders.map(([role]) => role.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual(['ContinuousStepsServiceRole', 'PromotionStepsServiceRole']);
    for (const [, resources] of tokenReaders) {
      const arns = resources.map((resource) => JSON.stringify(resource));
      expect(arns).toHaveLength(2);
      expect(arns[0]).toContain(':secret:acme/github-token-??????');
      expect(arns[1]).toContain(':secret:acme/gitlab-token-??????');
    }
    for (const role of ['ContinuousStepsServiceRole', 'PromotionStepsServiceRole']) {
      const secretActions = statementsOf(template, role).flatMap((statement) => [statement.Action].flat()).filter((action) => action.startsWith('secretsmanager:'));
      expect(secretActions).toEqual(['secretsmanager:GetSecretValue']);
    }
  });

  it('tells both step functions the console URL the statuses link to', () => {
    for (const handler of ['continuous-step', 'promotion-step']) expect(JSON.stringify(environmentOf(template, handler).CONSOLE_URL)).toContain('/console');
  });

  it('grants no secret and sets no link when no repository asks for statuses', () => {
    const plain = shippedStack().template;
    for (const role of ['ContinuousStepsServiceRole', 'PromotionStepsServiceRole']) {
      expect(statementsOf(plain, role).flatMap((statement) => [statement.Action].flat()).filter((action) => action.startsWith('secretsmanager:'))).toEqual([]);
    }
    expect(environmentOf(plain, 'continuous-step').CONSOLE_URL).toBeUndefined();
  });
});

describe('approval notices on AWS (docs/operations.md#notifications)', () => {
  let template: Template;
  let topic: string;
  let key: string;
  beforeAll(() => {
    template = shippedStack().template;
    topic = Object.keys(template.findResources('AWS::SNS::Topic'))[0] ?? '';
    key = Object.entries(template.findResources('AWS::KMS::Key')).find(([id]) => id.startsWith('NotificationsKey'))?.[0] ?? '';
  });

  it('gives the approval-request function the topic ARN', () => {
    expect(environmentOf(template, 'approval-request').NOTIFICATION_TOPIC_ARN).toEqual({ Ref: topic });
  });

  it('lets it publish to that topic only, with its key', () => {
    const statements = statementsOf(template, 'PromotionApprovalRequestServiceRole');
    const publish = statements.filter((statement) => [statement.Action].flat().includes('sns:Publish'));
    expect(publish.map((statement) => statement.Resource)).toEqual([{ Ref: topic }]);
    const keyUse = statements.filter((statement) => [statement.Action].flat().some((action) => action.startsWith('kms:')));
    expect(keyUse.map((statement) => [[statement.Action].flat().sort(), statement.Resource])).toEqual([[['kms:Decrypt', 'kms:GenerateDataKey'], { 'Fn::GetAtt': [key, 'Arn'] }]]);
  });
});
