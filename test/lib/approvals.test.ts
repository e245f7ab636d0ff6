import { type CfnElement, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { ReleaseConfig } from '../../core/config';
import { ApprovalsResources } from '../../lib/approvals';
import { CmdbTable } from '../../lib/cmdb-table';
import { HandlerFunction } from '../../lib/handler-function';
import { HttpApi } from '../../lib/http-api';
import { constructTestApp } from '../support/cdk-app';

const config = ReleaseConfig.parse({
  product: 'acme',
  repositories: [{ name: 'sample-service', provider: 'github', url: 'https://github.com/acme/sample-service' }],
  environments: [
    { name: 'integration', mode: 'continuous', branch: 'main' },
    { name: 'production', mode: 'approval', approvers: ['rm@example.com'] },
  ],
  notifications: { from: 'releases@example.com' },
});

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

/**
 * A stack shaped like the real one where it matters: the promotion workflow invokes the notifying function
 * with `.waitForTaskToken`, and that function gets the approval links' base URL.
 */
function synth(): { template: Template; stack: Stack; approvals: ApprovalsResources } {
  const app = constructTestApp();
  const stack = new Stack(app, 'Test', { env: { account: '123456789012', region: 'eu-west-1' } });
  const table = new CmdbTable(stack, 'Cmdb');
  const notifier = new HandlerFunction(stack, 'ApprovalRequest', {
    handler: 'approval-request',
    description: 'test double of the notifying function',
    environment: { TABLE_NAME: table.table.tableName, PRODUCT: 'acme', REMINDER_SCHEDULES: 'cot-reminders-test/cot-reminders-test', NOTIFICATION_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:notifications' },
    settings: { config },
  });
  const stateMachine = new sfn.StateMachine(stack, 'Promotion', {
    definitionBody: sfn.DefinitionBody.fromChainable(
      new tasks.LambdaInvoke(stack, 'Ask', {
        lambdaFunction: notifier,
        integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
        payload: sfn.TaskInput.fromObject({ taskToken: sfn.JsonPath.taskToken }),
        taskTimeout: sfn.Timeout.duration(Duration.days(7)),
      }),
    ),
  });
  // The test doubles are not under test: their own findings are not ours to judge.
  const double = (...ids: string[]) => ids.map((ackId) => ({ id: ackId, reason: 'test double' }));
  Validations.of(stateMachine).acknowledge(...double('AwsSolutions-SF1', 'AwsSolutions-SF2', 'AwsSolutions-IAM5[Resource::*]', `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(notifier.node.defaultChild as CfnElement)}.Arn>:*]`));
  Validations.of(notifier).acknowledge(...double('AwsSolutions-IAM5[Resource::*]'));
  const api = new HttpApi(stack, 'Api');
  const approvals = new ApprovalsResources(stack, 'Approvals', { api, table, stateMachine, config });
  approvals.grantNotify(notifier);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  // Throws with cdk-nag's report when any finding is left unacknowledged, and when the template has a
  // dependency cycle (which a link base URL taken from the API's stage would make).
  return { template: Template.fromStack(stack), stack, approvals };
}

const actionsOf = (statement: Statement) => [statement.Action].flat();

/** Every statement granted to the role of the function whose description starts with `description`. */
function statementsOf(template: Template, description: string): Statement[] {
  const [fn] = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp(`^${description}`) } }));
  const role = (fn?.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) => (policy.Properties.Roles as Array<{ Ref: string }>).some((ref) => ref.Ref === role))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
}

describe('ApprovalsResources', () => {
  let template: Template;
  let stack: Stack;
  let approvals: ApprovalsResources;
  beforeAll(() => {
    ({ template, stack, approvals } = synth());
  });

  it('routes GET, HEAD and POST /approvals/{id} to the page Lambda without an authorizer (passes cdk-nag)', () => {
    for (const method of ['GET', 'HEAD', 'POST']) {
      template.hasResourceProperties('AWS::ApiGateway::Method', {
        HttpMethod: method,
        AuthorizationType: 'NONE',
        AuthorizerId: Match.absent(),
        RequestParameters: { 'method.request.path.id': true },
        Integration: Match.objectLike({ Type: 'AWS_PROXY' }),
      });
    }
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: 'approvals' });
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: '{id}' });
  });

  it('generates the 64-character signing key under the name the handlers read', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'Test/approval-signing-key',
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true, IncludeSpace: false },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Approval pages'),
      Timeout: 10,
      Environment: { Variables: Match.objectLike({ PRODUCT: 'acme', APPROVAL_SIGNING_KEY_SECRET: 'Test/approval-signing-key', RELEASE_CONFIG: Match.absent() }) },
    });
    // The config is bundled with the code (lambdas/handler-environment.ts), not put in the environment.
    expect(approvals.pageHandler.settings).toEqual({ config });
  });

  it('grants the page the CMDB item actions of a decision on the table only, the key, and task answers on the workflow', () => {
    const statements = statementsOf(template, 'Approval pages');
    const table = Object.keys(template.findResources('AWS::DynamoDB::GlobalTable'))[0] ?? Object.keys(template.findResources('AWS::DynamoDB::Table'))[0];
    const dynamo = statements.filter((statement) => actionsOf(statement).some((action) => action.startsWith('dynamodb:')));
    expect(dynamo.flatMap(actionsOf).sort()).toEqual(['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem']);
    expect(dynamo.flatMap((statement) => [statement.Resource].flat())).toEqual([{ 'Fn::GetAtt': [table, 'Arn'] }]);
    const states = statements.filter((statement) => actionsOf(statement).some((action) => action.startsWith('states:')));
    expect(states.flatMap(actionsOf)).toEqual(expect.arrayContaining(['states:SendTaskSuccess', 'states:SendTaskFailure']));
    expect(states.flatMap(actionsOf)).not.toContain('states:StartExecution');
    expect(states.flatMap((statement) => [statement.Resource].flat())).toEqual([{ Ref: Object.keys(template.findResources('AWS::StepFunctions::StateMachine'))[0] }]);
    const secret = Object.keys(template.findResources('AWS::SecretsManager::Secret'))[0];
    const reads = statements.filter((statement) => actionsOf(statement).includes('secretsmanager:GetSecretValue'));
    expect(reads.flatMap((statement) => [statement.Resource].flat())).toEqual([{ Ref: secret }]);
    expect(statements.flatMap(actionsOf).filter((action) => action.startsWith('ses:'))).toEqual([]);
  });

  it('lets the notifying function send as the configured sender only, to any identity (the SES sandbox checks recipients too), read the key and link to the prod stage', () => {
    const statements = statementsOf(template, 'test double of the notifying function');
    const ses = statements.filter((statement) => actionsOf(statement).includes('ses:SendEmail'));
    expect(ses.flatMap(actionsOf)).toEqual(['ses:SendEmail', 'ses:SendRawEmail']);
    expect(stack.resolve(ses.flatMap((statement) => [statement.Resource].flat()))).toEqual([
      // A stack with its account and region written out gets the partition written out too (cdk.json's
      // @aws-cdk/core:enablePartitionLiterals).
      'arn:aws:ses:eu-west-1:123456789012:identity/*',
    ]);
    expect(ses.map((statement) => (statement as Statement & { Condition?: unknown }).Condition)).toEqual([{ StringEquals: { 'ses:FromAddress': 'releases@example.com' } }]);
    expect(statements.flatMap(actionsOf)).toContain('secretsmanager:GetSecretValue');
    const restApi = Object.keys(template.findResources('AWS::ApiGateway::RestApi'))[0];
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'test double of the notifying function',
      Environment: {
        Variables: Match.objectLike({
          APPROVAL_SIGNING_KEY_SECRET: 'Test/approval-signing-key',
          APPROVAL_BASE_URL: { 'Fn::Join': ['', ['https://', { Ref: restApi }, '.execute-api.eu-west-1.', { Ref: 'AWS::URLSuffix' }, '/prod/']] },
        }),
      },
    });
    template.hasResourceProperties('AWS::ApiGateway::Stage', { StageName: 'prod' });
  });
});
