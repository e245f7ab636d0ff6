import { Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { ReleaseConfig } from '../../core/config';
import { ReleaseStack } from '../../lib/release-stack';
import { constructTestApp } from '../support/cdk-app';
import { cloudFormationFindings } from '../support/cloudformation-findings';

const GITLAB_CONNECTION = 'arn:aws:codeconnections:eu-west-1:111111111111:connection/0a1b2c3d-4e5f-6789-abcd-ef0123456789';
const CODESTAR_CONNECTION = 'arn:aws:codestar-connections:eu-west-1:111111111111:connection/9f8e7d6c-5b4a-3210-fedc-ba9876543210';
const PREPRODUCTION_ROLE = 'arn:aws:iam::333333333333:role/cot-deployer';
const PRODUCTION_ROLE = 'arn:aws:iam::444444444444:role/deploy/cot-deployer';

const config = ReleaseConfig.parse({
  product: 'acme',
  repositories: [
    { name: 'web', provider: 'github', url: 'https://github.com/acme/web', build: { computeType: 'LARGE', image: 'public.ecr.aws/docker/library/node:22', privileged: true } },
    { name: 'api', provider: 'gitlab', url: 'https://gitlab.com/acme/api', connectionArn: GITLAB_CONNECTION },
    { name: 'jobs', provider: 'bitbucket', url: 'https://bitbucket.org/acme/jobs', connectionArn: CODESTAR_CONNECTION, build: { computeType: 'BUILD_GENERAL1_MEDIUM', image: 'aws/codebuild/amazonlinux-aarch64-standard:3.0' } },
  ],
  environments: [
    { name: 'integration', mode: 'continuous', branch: 'main' },
    { name: 'preproduction', mode: 'approval', approvers: ['qa@example.com'], deployRoleArn: PREPRODUCTION_ROLE, region: 'eu-central-1' },
    { name: 'production', mode: 'approval', approvers: ['rm@example.com'], account: '444444444444', deployRoleArn: PRODUCTION_ROLE },
  ],
  notifications: { from: 'releases@example.com' },
});

function synth(options: { apiGatewayLogsRole?: boolean; stackName?: string } = {}): Template {
  return synthStack(options).template;
}

function synthStack(options: { apiGatewayLogsRole?: boolean; stackName?: string } = {}): { template: Template; stack: ReleaseStack } {
  const app = constructTestApp();
  const stack = new ReleaseStack(app, options.stackName ?? 'acme-release', { config, apiGatewayLogsRole: options.apiGatewayLogsRole });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  // Throws with cdk-nag's report when any finding is left unacknowledged.
  return { template: Template.fromStack(stack), stack };
}

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };
const actionsOf = (statement: Statement) => [statement.Action].flat();

/** The statements of every policy attached to the role whose logical id starts with `prefix`. */
function statementsOf(template: Template, prefix: string): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) => (policy.Properties.Roles as Array<{ Ref: string }>).some((role) => role.Ref.startsWith(prefix)))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
}

/** A state machine's ASL, with each CloudFormation reference written `<Name>` or `<Name.Attribute>`. */
function definitionOf(template: Template, prefix: string): { States: Record<string, Record<string, unknown>> } {
  const [machine] = Object.entries(template.findResources('AWS::StepFunctions::StateMachine')).filter(([id]) => id.startsWith(prefix));
  const parts = machine![1].Properties.DefinitionString['Fn::Join'][1] as Array<string | { Ref?: string; 'Fn::GetAtt'?: string[] }>;
  return JSON.parse(parts.map((part) => (typeof part === 'string' ? part : `<${part.Ref ?? part['Fn::GetAtt']!.join('.')}>`)).join(''));
}

describe('ReleaseStack for real accounts', () => {
  let template: Template;
  let stack: ReleaseStack;
  beforeAll(() => {
    ({ template, stack } = synthStack());
  });

  it('passes CloudFormation validation as `cdk synth` runs it (errors stop it there)', async () => {
    expect(await cloudFormationFindings(stack)).toEqual([]);
  });

  describe('CodeBuild sources', () => {
    it('checks a repository with a connection out through exactly that connection', () => {
      template.hasResourceProperties('AWS::CodeBuild::Project', {
        Source: Match.objectLike({ Type: 'GITLAB', Location: 'https://gitlab.com/acme/api', Auth: { Type: 'CODECONNECTIONS', Resource: GITLAB_CONNECTION } }),
      });
      template.hasResourceProperties('AWS::CodeBuild::Project', {
        Source: Match.objectLike({ Type: 'BITBUCKET', Auth: { Type: 'CODECONNECTIONS', Resource: CODESTAR_CONNECTION } }),
      });
      template.hasResourceProperties('AWS::CodeBuild::Project', { Source: Match.objectLike({ Type: 'GITHUB', Auth: Match.absent() }) });
    });

    it.each([
      ['api', GITLAB_CONNECTION, ['codeconnections:GetConnectionToken', 'codeconnections:UseConnection']],
      [
        'jobs',
        CODESTAR_CONNECTION,
        ['codeconnections:GetConnectionToken', 'codeconnections:UseConnection', 'codestar-connections:GetConnectionToken', 'codestar-connections:UseConnection'],
      ],
    ])('lets the projects of %s use their connection and no other', (repository, connection, actions) => {
      for (const kind of ['Build', 'Deploy', 'Test']) {
        const uses = statementsOf(template, `Projects${repository}${kind}Role`).filter((statement) => actionsOf(statement).some((action) => action.includes('Connection')));
        expect(uses.flatMap(actionsOf).sort()).toEqual(actions);
        expect(uses.map((statement) => statement.Resource)).toEqual([connection]);
      }
      expect(statementsOf(template, 'ProjectswebBuildRole').flatMap(actionsOf).filter((action) => action.includes('Connection'))).toEqual([]);
    });

    it('grants no report group rights', () => {
      const actions = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((policy) => (policy.Properties.PolicyDocument.Statement as Statement[]).flatMap(actionsOf));
      expect(actions.filter((action) => action.includes('Report'))).toEqual([]);
    });

    it('builds with the configured size, image and privileged mode', () => {
      template.hasResourceProperties('AWS::CodeBuild::Project', {
        Description: 'Builds each pushed commit once of web',
        Environment: Match.objectLike({ ComputeType: 'BUILD_GENERAL1_LARGE', Image: 'public.ecr.aws/docker/library/node:22', PrivilegedMode: true, Type: 'LINUX_CONTAINER' }),
      });
      template.hasResourceProperties('AWS::CodeBuild::Project', {
        Description: 'Deploys a stored artifact of jobs',
        Environment: Match.objectLike({ ComputeType: 'BUILD_GENERAL1_MEDIUM', Image: 'aws/codebuild/amazonlinux-aarch64-standard:3.0', PrivilegedMode: false, Type: 'ARM_CONTAINER' }),
      });
      template.hasResourceProperties('AWS::CodeBuild::Project', {
        Description: 'Tests a deployment of api',
        Environment: Match.objectLike({ ComputeType: 'BUILD_GENERAL1_SMALL', Image: 'aws/codebuild/standard:7.0', PrivilegedMode: false }),
      });
    });
  });

  describe('deploy targets', () => {
    it.each([
      ['preproduction', PREPRODUCTION_ROLE],
      ['production', PRODUCTION_ROLE],
    ])('gives %s a deploy role that may assume exactly its deployRoleArn, trusted by CodeBuild of this account only', (environment, roleArn) => {
      const statements = statementsOf(template, `DeployTargetsRole${environment}`);
      const assume = statements.filter((statement) => actionsOf(statement).includes('sts:AssumeRole'));
      expect(assume).toEqual([expect.objectContaining({ Action: 'sts:AssumeRole', Resource: roleArn })]);
      expect(statements.flatMap(actionsOf).filter((action) => !/^(s3|logs|codeconnections|codestar-connections):/.test(action))).toEqual(['sts:AssumeRole']);
      const [role] = Object.entries(template.findResources('AWS::IAM::Role')).filter(([id]) => id.startsWith(`DeployTargetsRole${environment}`));
      expect(role![1].Properties.AssumeRolePolicyDocument.Statement).toEqual([
        { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'codebuild.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } },
      ]);
      template.hasOutput(`DeployRole${environment[0]!.toUpperCase()}${environment.slice(1)}`, { Value: { 'Fn::GetAtt': [Match.stringLikeRegexp(`^DeployTargetsRole${environment}`), 'Arn'] } });
    });

    it('gives no other role sts:AssumeRole on a target, and no environment without a deployRoleArn a deploy role', () => {
      const assumers = Object.values(template.findResources('AWS::IAM::Policy'))
        .filter((policy) => (policy.Properties.PolicyDocument.Statement as Statement[]).some((statement) => actionsOf(statement).includes('sts:AssumeRole')))
        .flatMap((policy) => (policy.Properties.Roles as Array<{ Ref: string }>).map((role) => role.Ref));
      expect(assumers).toHaveLength(2);
      expect(assumers.every((role) => role.startsWith('DeployTargetsRole'))).toBe(true);
      expect(Object.keys(template.findResources('AWS::IAM::Role')).filter((id) => id.startsWith('DeployTargetsRoleintegration'))).toEqual([]);
    });

    it('runs deploy and test of each target environment as its role, with the target in the variables', () => {
      const states = definitionOf(template, 'PromotionStateMachine').States;
      expect(states.DeployTarget).toMatchObject({
        Type: 'Choice',
        Choices: [
          { Variable: '$.run.value.environment', StringEquals: 'preproduction', Next: 'Deploy-preproduction' },
          { Variable: '$.run.value.environment', StringEquals: 'production', Next: 'Deploy-production' },
        ],
        Default: 'Deploy',
      });
      expect(states.TestTarget).toMatchObject({ Type: 'Choice', Default: 'Test' });
      for (const [step, next] of [['Deploy', 'Deployed'], ['Test', 'Tested']] as const) {
        const production = states[`${step}-production`] as { Next: string; Parameters: { ServiceRoleOverride: string; EnvironmentVariablesOverride: unknown[] }; Catch: unknown[] };
        expect(production.Next).toBe(next);
        expect(production.Parameters.ServiceRoleOverride).toMatch(/^<DeployTargetsRoleproduction[0-9A-F]{8}\.Arn>$/);
        expect(production.Parameters.EnvironmentVariablesOverride).toEqual(
          expect.arrayContaining([
            { Name: 'COT_DEPLOY_ROLE_ARN', Type: 'PLAINTEXT', Value: PRODUCTION_ROLE },
            { Name: 'COT_ACCOUNT', Type: 'PLAINTEXT', Value: '444444444444' },
            { Name: 'AWS_REGION', Type: 'PLAINTEXT', Value: '<AWS::Region>' },
            { Name: 'AWS_DEFAULT_REGION', Type: 'PLAINTEXT', Value: '<AWS::Region>' },
            { Name: 'COT_ENVIRONMENT', Type: 'PLAINTEXT', 'Value.$': '$.run.value.environment' },
          ]),
        );
        expect(production.Catch).toEqual((states[step] as { Catch: unknown[] }).Catch);
        const preproduction = states[`${step}-preproduction`] as { Parameters: { EnvironmentVariablesOverride: unknown[] } };
        expect(preproduction.Parameters.EnvironmentVariablesOverride).toEqual(
          expect.arrayContaining([
            { Name: 'COT_ACCOUNT', Type: 'PLAINTEXT', Value: '333333333333' },
            { Name: 'AWS_REGION', Type: 'PLAINTEXT', Value: 'eu-central-1' },
          ]),
        );
        const plain = states[step] as { Parameters: Record<string, unknown> & { EnvironmentVariablesOverride: Array<{ Name: string }> } };
        expect(plain.Parameters.ServiceRoleOverride).toBeUndefined();
        expect(plain.Parameters.EnvironmentVariablesOverride.map((variable) => variable.Name)).not.toContain('COT_DEPLOY_ROLE_ARN');
      }
    });

    it('lets the promotion workflow pass exactly the target roles, to CodeBuild only; the continuous one none', () => {
      const passRole = statementsOf(template, 'PromotionStateMachineRole').filter((statement) => actionsOf(statement).includes('iam:PassRole'));
      expect(passRole).toHaveLength(1);
      expect(passRole[0]!.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'codebuild.amazonaws.com' } });
      expect(JSON.stringify(passRole[0]!.Resource)).toMatch(/DeployTargetsRolepreproduction.*DeployTargetsRoleproduction/);
      expect(statementsOf(template, 'ContinuousStateMachineRole').flatMap(actionsOf)).not.toContain('iam:PassRole');
      expect(definitionOf(template, 'ContinuousStateMachine').States.DeployTarget).toBeUndefined();
    });

    it('lets a deploy role write every repository\'s project logs and read the artifacts, and use the connections', () => {
      const statements = statementsOf(template, 'DeployTargetsRoleproduction');
      const logs = statements.filter((statement) => actionsOf(statement).includes('logs:PutLogEvents')).flatMap((statement) => [statement.Resource].flat());
      // In logical-id order: cdk.json's @aws-cdk/aws-iam:minimizePolicies sorts a statement's resources.
      expect(JSON.stringify(logs)).toMatch(/ProjectsapiLogs.*ProjectsjobsLogs.*ProjectswebLogs/);
      const reads = statements.filter((statement) => actionsOf(statement).includes('s3:GetObject'));
      expect(JSON.stringify(reads.map((statement) => statement.Resource))).toContain('/artifacts/*');
      expect(statements.flatMap(actionsOf)).not.toContain('s3:PutObject');
      const connections = statements.filter((statement) => actionsOf(statement).includes('codeconnections:UseConnection')).map((statement) => statement.Resource);
      expect(connections.sort()).toEqual([GITLAB_CONNECTION, CODESTAR_CONNECTION].sort());
    });
  });

  it('names the workflow log groups /aws/vendedlogs/states/<stack>-<workflow>', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/vendedlogs/states/acme-release-continuous' });
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/vendedlogs/states/acme-release-promotion' });
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      LoggingConfiguration: Match.objectLike({ Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ContinuousStateMachineLogs'), 'Arn'] } } }] }),
    });
  });

  it('leaves the account\'s API Gateway logging role alone unless asked, and still logs access', async () => {
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
    template.hasResourceProperties('AWS::ApiGateway::Stage', { AccessLogSetting: Match.objectLike({ DestinationArn: Match.anyValue() }) });

    const { template: asked, stack: askedStack } = synthStack({ apiGatewayLogsRole: true });
    asked.resourceCountIs('AWS::ApiGateway::Account', 1);
    asked.hasResourceProperties('AWS::IAM::Role', {
      ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs']] }],
    });
    expect(await cloudFormationFindings(askedStack)).toEqual([]);
  });

  it('names the secrets after the stack, so two stacks of one product do not collide', () => {
    const other = synth({ stackName: 'acme-staging' });
    for (const [stack, t] of [['acme-release', template], ['acme-staging', other]] as const) {
      t.hasResourceProperties('AWS::SecretsManager::Secret', { Name: `${stack}/webhook/api` });
      t.hasResourceProperties('AWS::SecretsManager::Secret', { Name: `${stack}/approval-signing-key` });
      t.hasOutput('WebhookSecretApi', { Value: `${stack}/webhook/api` });
    }
  });

  it('gives the Lambdas their own log group to write, not AWSLambdaBasicExecutionRole', () => {
    const roles = template.findResources('AWS::IAM::Role', { Properties: { AssumeRolePolicyDocument: Match.objectLike({ Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })] }) } });
    expect(Object.keys(roles).length).toBeGreaterThan(0);
    for (const [id, role] of Object.entries(roles)) {
      expect(role.Properties.ManagedPolicyArns, id).toBeUndefined();
      const writes = statementsOf(template, id).filter((statement) => actionsOf(statement).includes('logs:PutLogEvents'));
      expect(writes.map((statement) => statement.Resource), id).toEqual([{ 'Fn::GetAtt': [expect.stringMatching(/Logs[0-9A-F]{8}$/), 'Arn'] }]);
    }
  });

  describe('artifact versions', () => {
    it('versions the artifact bucket and expires only replaced versions, keeping enough for rollbacks', () => {
      template.hasResourceProperties('AWS::S3::Bucket', {
        VersioningConfiguration: { Status: 'Enabled' },
        LifecycleConfiguration: {
          Rules: [
            {
              Id: 'ExpireReplacedArtifacts',
              Status: 'Enabled',
              NoncurrentVersionExpiration: { NoncurrentDays: 90, NewerNoncurrentVersions: 3 },
              AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
            },
          ],
        },
      });
    });

    it('lists the artifact key\'s versions after the build and records the one it stored', () => {
      const states = definitionOf(template, 'ContinuousStateMachine').States;
      expect(states.Build).toMatchObject({ Next: 'ListArtifactVersions', ResultSelector: expect.objectContaining({ 'startTime.$': '$.Build.StartTime', 'endTime.$': '$.Build.EndTime' }) });
      expect(states.ListArtifactVersions).toMatchObject({
        Resource: 'arn:aws:states:::aws-sdk:s3:listObjectVersions',
        Parameters: { 'Bucket.$': '$.run.value.artifact.bucket', 'Prefix.$': '$.run.value.artifact.key', MaxKeys: 100 },
        ResultPath: '$.versions',
        Next: 'Built',
        Catch: [expect.objectContaining({ Next: 'RecordBuildFailure' })],
      });
      expect(states.Built).toMatchObject({
        Parameters: { Payload: expect.objectContaining({ action: 'built', 'build.$': '$.build', 'versions.$': '$.versions' }) },
        ResultPath: '$.artifact',
        Next: 'Claim',
        Catch: [expect.objectContaining({ Next: 'RecordBuildFailure' })],
      });
      const listing = statementsOf(template, 'ContinuousStateMachineRole').filter((statement) => actionsOf(statement).includes('s3:ListBucketVersions'));
      expect(listing).toEqual([expect.objectContaining({ Action: 's3:ListBucketVersions', Condition: { StringLike: { 's3:prefix': 'artifacts/*' } } })]);
      expect(JSON.stringify(listing[0]!.Resource)).toMatch(/ArtifactsBucket[0-9A-F]{8}/);
    });

    it.each([
      ['ContinuousStateMachine', ['Deploy', 'Test'], '$.artifact.value.version'],
      ['PromotionStateMachine', ['Deploy', 'Deploy-preproduction', 'Deploy-production', 'Test', 'Test-production'], '$.run.value.artifactVersion'],
    ])('pins every deploy and test of %s to the recorded artifact version', (machine, names, versionPath) => {
      const states = definitionOf(template, machine).States;
      for (const name of names) {
        expect(states[name], name).toMatchObject({
          Resource: 'arn:aws:states:::codebuild:startBuild.sync',
          Parameters: {
            SecondarySourcesOverride: [{ Type: 'S3', 'Location.$': '$.run.value.artifact.location', SourceIdentifier: 'artifact' }],
            SecondarySourcesVersionOverride: [{ SourceIdentifier: 'artifact', 'SourceVersion.$': versionPath }],
          },
        });
      }
    });
  });
});
