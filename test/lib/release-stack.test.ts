import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { cloudFormationFindings } from '../support/cloudformation-findings';
import { shippedStack } from '../support/shipped-stack';

/** The shipped stack, cdk-nag clean, synthesized once per process: every describe reads the same template. */
function synth(): Template {
  return shippedStack().template;
}

/** Every IAM action any role of the stack is allowed, by the role's logical id. */
function actionsByRole(template: Template): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
    const roles = (policy.Properties.Roles as Array<{ Ref: string }>).map((role) => role.Ref);
    const actions = (policy.Properties.PolicyDocument.Statement as Array<{ Action: string | string[] }>).flatMap((statement) => statement.Action);
    for (const role of roles) result[role] = [...(result[role] ?? []), ...actions].sort();
  }
  return result;
}

describe('ReleaseStack', () => {
  let template: Template;
  beforeAll(() => {
    template = synth();
  });

  it('passes CloudFormation validation as `cdk synth` runs it (errors stop it there)', async () => {
    expect(await cloudFormationFindings(shippedStack().stack)).toEqual([]);
  });

  it('keeps the CMDB forever: RETAIN, deletion protection, point-in-time recovery, encryption, TTL', () => {
    template.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
        SSESpecification: Match.objectLike({ SSEEnabled: true }),
        Replicas: [Match.objectLike({ DeletionProtectionEnabled: true, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })],
        GlobalSecondaryIndexes: [Match.objectLike({ IndexName: 'gsi1' })],
      }),
    });
  });

  it('names the CMDB table construct with a fixed logical id', () => {
    expect(Object.keys(template.findResources('AWS::DynamoDB::GlobalTable'))).toEqual([expect.stringMatching(/^CmdbTable[0-9A-F]{8}$/)]);
  });

  it('stores artifacts encrypted, versioned, private, TLS-only and retained', () => {
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        VersioningConfiguration: { Status: 'Enabled' },
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'artifacts/' }),
      }),
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('reads each buildspec from the repository at the commit', () => {
    for (const file of ['buildspec.yml', 'deployspec.yml', 'testspec.yml']) {
      template.hasResourceProperties('AWS::CodeBuild::Project', {
        Source: Match.objectLike({ Type: 'GITHUB', Location: 'https://github.com/acme/sample-service.git', BuildSpec: file }),
        Artifacts: { Type: 'NO_ARTIFACTS' },
      });
    }
  });

  it('grants the build project only PutObject on its artifacts, and deploy/test only GetObject', () => {
    const roles = actionsByRole(template);
    const s3 = (role: string) => (roles[Object.keys(roles).find((id) => id.includes(role))!] ?? []).filter((action) => action.startsWith('s3:'));

    expect(s3('BuildRole')).toEqual(['s3:GetBucketAcl', 's3:GetBucketLocation', 's3:PutObject']);
    expect(s3('DeployRole')).toEqual(['s3:GetBucketAcl', 's3:GetBucketLocation', 's3:GetObject', 's3:GetObjectVersion']);
    expect(s3('TestRole')).toEqual(['s3:GetBucketAcl', 's3:GetBucketLocation', 's3:GetObject', 's3:GetObjectVersion']);
    for (const actions of Object.values(roles)) expect(actions.filter((action) => action.includes('*'))).toEqual([]);
  });

  it('outputs the names a user needs', () => {
    template.hasOutput('CmdbTableName', {});
    template.hasOutput('ArtifactBucketName', {});
  });
});

describe('ContinuousWorkflow', () => {
  let template: Template;
  beforeAll(() => {
    template = synth();
  });

  it('is updated before the webhook, whose pushes only its first step moves the branch head for', () => {
    const functions = template.findResources('AWS::Lambda::Function');
    const [webhook] = Object.entries(functions).find(([id]) => id.startsWith('WebhooksHandler')) ?? [];
    const [steps] = Object.entries(functions).find(([id]) => id.startsWith('ContinuousSteps')) ?? [];
    expect(webhook && steps).toBeTruthy();
    expect([functions[webhook!]?.DependsOn].flat()).toContain(steps);
  });

  it('is a Standard state machine with logs (ALL, without execution data: no task token in logs) and X-Ray', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: false }),
      Tags: Match.arrayWith([{ Key: 'cot:workflow', Value: 'continuous' }]),
    });
  });

  it('runs its CMDB steps on Node.js 22, ARM64, with reads and writes on the table only', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      Tags: Match.arrayWith([{ Key: 'cot:handler', Value: 'continuous-step' }]),
    });
    const roles = actionsByRole(template);
    const steps = roles[Object.keys(roles).find((id) => id.startsWith('ContinuousStepsServiceRole'))!] ?? [];
    expect(steps.filter((action) => action.startsWith('dynamodb:'))).toEqual(['dynamodb:BatchGetItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
  });

  it('lets the state machine start only our projects, and publish only to our topic', () => {
    const roles = actionsByRole(template);
    const machine = roles[Object.keys(roles).find((id) => id.startsWith('ContinuousStateMachineRole'))!] ?? [];
    expect(machine).toEqual(expect.arrayContaining(['codebuild:StartBuild', 'codebuild:BatchGetBuilds', 'codebuild:StopBuild', 'sns:Publish', 'lambda:InvokeFunction']));
    expect(machine.filter((action) => action.startsWith('dynamodb:'))).toEqual([]);
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>,
    );
    const startBuild = statements.find((statement) => [statement.Action].flat().includes('codebuild:StartBuild'));
    expect(JSON.stringify(startBuild?.Resource)).toMatch(/ProjectssampleserviceBuild.*ProjectssampleserviceDeploy.*ProjectssampleserviceTest/);
  });
});

describe('ReleaseStack grants what the adapters call', () => {
  let template: Template;
  beforeAll(() => {
    template = synth();
  });

  const statementsOf = (rolePrefix: string) =>
    Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((policy) => (policy.Properties.Roles as Array<{ Ref: string }>).some((role) => role.Ref.startsWith(rolePrefix)))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>);

  it('lets the promotion steps query the CMDB index (autoRollback reads acceptances newest first)', () => {
    const query = statementsOf('PromotionStepsServiceRole').filter((statement) => [statement.Action].flat().includes('dynamodb:Query'));
    expect(JSON.stringify(query.map((statement) => statement.Resource))).toContain('/index/gsi1');
  });

  it('lets both workflows publish to the encrypted topic: sns:Publish and its key', () => {
    for (const role of ['ContinuousStateMachineRole', 'PromotionStateMachineRole']) {
      const actions = statementsOf(role).flatMap((statement) => [statement.Action].flat());
      expect(actions).toEqual(expect.arrayContaining(['sns:Publish', 'kms:GenerateDataKey', 'kms:Decrypt']));
    }
  });
});

describe('ReleaseStack grants each function the CMDB actions its use cases send, exactly', () => {
  let template: Template;
  beforeAll(() => {
    template = synth();
  });

  /** `dynamodb:` actions granted to the function tagged `handler`, by where: the table, its index, elsewhere. */
  function cmdbActionsOf(handler: string): Record<string, string[]> {
    const [fn] = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Tags: Match.arrayWith([{ Key: 'cot:handler', Value: handler }]) } }));
    const role = (fn?.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const [table] = Object.keys(template.findResources('AWS::DynamoDB::GlobalTable'));
    const where = (resource: unknown) => {
      const text = JSON.stringify(resource);
      if (text === JSON.stringify({ 'Fn::GetAtt': [table, 'Arn'] })) return 'table';
      if (text === JSON.stringify({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [table, 'Arn'] }, '/index/gsi1']] })) return 'index';
      return text;
    };
    const result: Record<string, string[]> = {};
    for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
      if (!(policy.Properties.Roles as Array<{ Ref: string }>).some((ref) => ref.Ref === role)) continue;
      for (const statement of policy.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>) {
        const actions = [statement.Action].flat().filter((action) => action.startsWith('dynamodb:'));
        for (const resource of [statement.Resource].flat()) {
          if (actions.length > 0) result[where(resource)] = [...(result[where(resource)] ?? []), ...actions].sort();
        }
      }
    }
    return result;
  }

  const actions = (...names: string[]) => names.map((name) => `dynamodb:${name}`);
  it.each([
    // The webhook reads nothing: one transaction records the push; a failed start deletes its claim.
    ['webhook', { table: actions('DeleteItem', 'PutItem', 'UpdateItem') }],
    // The run moves the branch head: the head and the commits compared (BatchGetItem), and once per repository a Query
    // of its commits for the index of who lists them.
    ['continuous-step', { table: actions('BatchGetItem', 'DeleteItem', 'GetItem', 'PutItem', 'Query', 'UpdateItem') }],
    ['promotion-step', { table: actions('DeleteItem', 'GetItem', 'PutItem', 'Query', 'UpdateItem'), index: actions('Query') }],
    ['approval-request', { table: actions('ConditionCheckItem', 'GetItem', 'PutItem', 'Query', 'UpdateItem') }],
    ['approval-page', { table: actions('DeleteItem', 'GetItem', 'UpdateItem') }],
    // BatchGetItem: the delivery metrics read commits' push times by their keys.
    ['operator-api', { table: actions('BatchGetItem', 'DeleteItem', 'GetItem', 'PutItem', 'Query', 'UpdateItem'), index: actions('Query') }],
  ])('%s', (handler, expected) => {
    expect(cmdbActionsOf(handler)).toEqual(expected);
  });
});
