import { Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { ReleaseConfig } from '../../core/config';
import { CmdbTable } from '../../lib/cmdb-table';
import { HttpApi } from '../../lib/http-api';
import { WebhookApi } from '../../lib/webhook-api';
import { WebhookSecrets } from '../../lib/webhook-secrets';
import { constructTestApp } from '../support/cdk-app';

const config = ReleaseConfig.parse({
  product: 'acme',
  repositories: [
    { name: 'sample-service', provider: 'github', url: 'https://github.com/acme/sample-service' },
    { name: 'payments', provider: 'bitbucket', url: 'https://bitbucket.org/acme/payments' },
  ],
  environments: [
    { name: 'integration', mode: 'continuous', branch: 'main' },
    { name: 'production', mode: 'approval', approvers: ['rm@example.com'] },
  ],
  notifications: { from: 'releases@example.com' },
});

function synth(extra: (api: HttpApi) => void = () => undefined): Template {
  return synthWebhooks(extra).template;
}

function synthWebhooks(extra: (api: HttpApi) => void = () => undefined): { template: Template; webhooks: WebhookApi } {
  const app = constructTestApp();
  const stack = new Stack(app, 'Test');
  const table = new CmdbTable(stack, 'Cmdb');
  const stateMachine = new sfn.StateMachine(stack, 'Continuous', {
    definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Nothing')),
  });
  // The dummy machine is not under test: its own findings are not ours to judge.
  Validations.of(stateMachine).acknowledge(
    { id: 'AwsSolutions-SF1', reason: 'test double' },
    { id: 'AwsSolutions-SF2', reason: 'test double' },
  );
  const api = new HttpApi(stack, 'Api');
  const secrets = new WebhookSecrets(stack, 'WebhookSecrets', { config });
  const webhooks = new WebhookApi(stack, 'Webhooks', { api, config, table, stateMachine, secrets });
  extra(api);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  // Throws with cdk-nag's report when any finding is left unacknowledged.
  return { template: Template.fromStack(stack), webhooks };
}

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

/** Every statement granted to the webhook Lambda's role. */
function webhookStatements(template: Template): Statement[] {
  const [role] = Object.keys(template.findResources('AWS::IAM::Role', { Properties: { AssumeRolePolicyDocument: Match.objectLike({ Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })] }) } }));
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) => (policy.Properties.Roles as Array<{ Ref: string }>).some((ref) => ref.Ref === role))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
}

const actionsOf = (statement: Statement) => [statement.Action].flat();
const logicalId = (template: Template, type: string) => Object.keys(template.findResources(type));

describe('HttpApi + WebhookApi', () => {
  let template: Template;
  let webhooks: WebhookApi;
  beforeAll(() => {
    ({ template, webhooks } = synthWebhooks());
  });

  it('routes POST /webhooks/{provider} to the Lambda without an authorizer, requiring the path parameter', () => {
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      AuthorizationType: 'NONE',
      AuthorizerId: Match.absent(),
      RequestParameters: { 'method.request.path.provider': true },
      RequestValidatorId: Match.anyValue(),
      Integration: Match.objectLike({ Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST' }),
    });
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: '{provider}' });
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: 'webhooks' });
    template.resourceCountIs('AWS::ApiGateway::Authorizer', 0);
  });

  it('runs the handler on ARM64 Node.js 22 with a 10 s timeout, the config and secret names bundled with its code', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Timeout: 10,
      MemorySize: 512,
      TracingConfig: { Mode: 'Active' },
      Environment: {
        Variables: Match.objectLike({
          PRODUCT: 'acme',
          RELEASE_CONFIG: Match.absent(),
          WEBHOOK_SECRETS: Match.absent(),
          CONTINUOUS_STATE_MACHINE_ARN: { Ref: logicalId(template, 'AWS::StepFunctions::StateMachine')[0] },
        }),
      },
    });
    expect(webhooks.handler.settings).toEqual({
      config,
      webhookSecrets: { 'sample-service': 'Test/webhook/sample-service', payments: 'Test/webhook/payments' },
    });
  });

  it('grants StartExecution on the continuous workflow only', () => {
    const statements = webhookStatements(template).filter((statement) => actionsOf(statement).some((action) => action.startsWith('states:')));
    expect(statements).toEqual([
      expect.objectContaining({ Action: 'states:StartExecution', Resource: { Ref: logicalId(template, 'AWS::StepFunctions::StateMachine')[0] } }),
    ]);
  });

  it('grants reading the two webhook secrets and no other', () => {
    const secrets = logicalId(template, 'AWS::SecretsManager::Secret');
    const statements = webhookStatements(template).filter((statement) => actionsOf(statement).some((action) => action.startsWith('secretsmanager:')));
    expect(statements.flatMap(actionsOf)).toContain('secretsmanager:GetSecretValue');
    const resources = statements.flatMap((statement) => [statement.Resource].flat());
    expect(resources).toHaveLength(2);
    expect(resources).toEqual(expect.arrayContaining(secrets.map((id) => ({ Ref: id }))));
  });

  it('grants the CMDB only the writes the intake makes (a failed start releases its claim), no read: no get, scan or query', () => {
    const actions = webhookStatements(template).flatMap(actionsOf).filter((action) => action.startsWith('dynamodb:'));
    expect(actions.sort()).toEqual(['dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
    expect(webhookStatements(template).flatMap(actionsOf)).not.toContain('dynamodb:Scan');
    expect(webhookStatements(template).flatMap(actionsOf)).not.toContain('dynamodb:Query');
  });

  it('throttles the prod stage, traces it and logs access as JSON and execution at INFO without data', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'prod',
      TracingEnabled: true,
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('"requestId":"\\$context.requestId"') },
      MethodSettings: [
        Match.objectLike({ HttpMethod: '*', ResourcePath: '/*', LoggingLevel: 'INFO', DataTraceEnabled: false, ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 }),
      ],
    });
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { EndpointConfiguration: { Types: ['REGIONAL'] } });
  });

  it('leaves the URL output to the stack (ApiUrl), rather than a generated one', () => {
    expect(Object.keys(template.toJSON().Outputs as object).filter((id) => id.startsWith('Api'))).toEqual([]);
  });

  it('answers gateway errors in the handlers\' JSON error shape', () => {
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'REQUEST_TOO_LARGE',
      ResponseTemplates: { 'application/json': Match.stringLikeRegexp('"error":"payload_too_large"') },
    });
  });

  it('acknowledges the missing authorizer on the webhook method only: another open route is still a finding', () => {
    // Prepare
    const openRoute = (api: HttpApi) => api.api.root.addResource('open').addMethod('GET', new apigw.MockIntegration());

    // Act
    const synthesizing = () => synth(openRoute);

    // Assess
    expect(synthesizing).toThrow(/AwsSolutions-APIG4[\s\S]*Test\/Api\/Api\/Default\/open\/GET/);
  });

  it('creates one 40-character secret per repository, named after the stack (two stacks of one product never share one), and outputs its name', () => {
    template.resourceCountIs('AWS::SecretsManager::Secret', 2);
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'Test/webhook/sample-service',
      GenerateSecretString: { PasswordLength: 40, ExcludePunctuation: true, IncludeSpace: false },
    });
    template.hasOutput('WebhookSecretSampleService', { Value: 'Test/webhook/sample-service' });
    template.hasOutput('WebhookSecretPayments', { Value: 'Test/webhook/payments' });
  });
});
