import { Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { ReleaseConfig } from '../../core/config';
import { OPERATOR_API_ROUTES } from '../../core/operator-api-routes';
import { CmdbTable } from '../../lib/cmdb-table';
import { OperatorApi } from '../../lib/operator-api';
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

function synth(): { template: Template; operators: OperatorApi } {
  const app = constructTestApp();
  const stack = new Stack(app, 'Test');
  const table = new CmdbTable(stack, 'Cmdb');
  const promotion = new sfn.StateMachine(stack, 'Promotion', {
    definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Nothing')),
  });
  // The dummy machine is not under test: its own findings are not ours to judge.
  Validations.of(promotion).acknowledge({ id: 'AwsSolutions-SF1', reason: 'test double' }, { id: 'AwsSolutions-SF2', reason: 'test double' });
  const api = new HttpApi(stack, 'Api');
  const operators = new OperatorApi(stack, 'Operators', { api, config, table, promotion });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  // Throws with cdk-nag's report when any finding is left unacknowledged.
  return { template: Template.fromStack(stack), operators };
}

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };
type Resource = { Properties: Record<string, unknown> };

const actionsOf = (statement: Statement) => [statement.Action].flat();
const logicalId = (template: Template, type: string) => Object.keys(template.findResources(type))[0] ?? '';

/** Every statement granted to the operator API Lambda's role. */
function handlerStatements(template: Template): Statement[] {
  const roles = Object.keys(
    template.findResources('AWS::IAM::Role', {
      Properties: { AssumeRolePolicyDocument: Match.objectLike({ Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })] }) },
    }),
  );
  expect(roles).toHaveLength(1);
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) => (policy.Properties.Roles as Array<{ Ref: string }>).some((ref) => ref.Ref === roles[0]))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
}

/** `/api/releases/{id}` of each method, rebuilt from the API's resources. */
function methodPaths(template: Template): Array<{ path: string; method: Resource }> {
  const resources = template.findResources('AWS::ApiGateway::Resource') as Record<string, Resource>;
  const pathOf = (id: string): string => {
    const resource = resources[id];
    if (!resource) return '';
    const parent = resource.Properties.ParentId as { Ref?: string };
    return `${parent.Ref ? pathOf(parent.Ref) : ''}/${String(resource.Properties.PathPart)}`;
  };
  return Object.values(template.findResources('AWS::ApiGateway::Method') as Record<string, Resource>).map((method) => ({
    path: pathOf((method.Properties.ResourceId as { Ref: string }).Ref),
    method,
  }));
}

describe('OperatorApi', () => {
  let template: Template;
  let operators: OperatorApi;
  beforeAll(() => {
    ({ template, operators } = synth());
  });

  it('adds every operator route (docs/architecture.md#http-api) under /api, each with AWS_IAM authorization and its path parameters required', () => {
    const methods = methodPaths(template).filter(({ path }) => path.startsWith('/api'));
    expect(methods.map(({ path, method }) => `${String(method.Properties.HttpMethod)} ${path}`).sort()).toEqual(
      OPERATOR_API_ROUTES.map(({ method, resource }) => `${method} ${resource}`).sort(),
    );
    for (const { path, method } of methods) {
      expect(method.Properties.AuthorizationType, path).toBe('AWS_IAM');
      expect(method.Properties.Integration).toMatchObject({ Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST' });
    }
    const history = methods.find(({ path }) => path === '/api/history/{repository}/{environment}');
    expect(history?.method.Properties.RequestParameters).toEqual({
      'method.request.path.repository': true,
      'method.request.path.environment': true,
    });
  });

  it('runs operator-api with the table and the promotion workflow in its environment, the config bundled with its code', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Timeout: 29,
      TracingConfig: { Mode: 'Active' },
      Environment: {
        Variables: Match.objectLike({
          PRODUCT: 'acme',
          TABLE_NAME: { Ref: logicalId(template, 'AWS::DynamoDB::GlobalTable') },
          PROMOTION_STATE_MACHINE_ARN: { Ref: logicalId(template, 'AWS::StepFunctions::StateMachine') },
          RELEASE_CONFIG: Match.absent(),
        }),
      },
      Tags: Match.arrayWith([{ Key: 'cot:handler', Value: 'operator-api' }]),
    });
    expect(operators.handler.settings).toEqual({ config });
  });

  it('grants StartExecution and task responses on the promotion workflow only', () => {
    const machine = { Ref: logicalId(template, 'AWS::StepFunctions::StateMachine') };
    const statements = handlerStatements(template).filter((statement) => actionsOf(statement).some((action) => action.startsWith('states:')));
    expect(statements.flatMap(actionsOf).sort()).toEqual(['states:SendTaskFailure', 'states:SendTaskHeartbeat', 'states:SendTaskSuccess', 'states:StartExecution']);
    for (const statement of statements) expect(statement.Resource).toEqual(machine);
  });

  it('grants the CMDB reads and writes it makes on the table, Query only on its index, and never Scan', () => {
    const table = { 'Fn::GetAtt': [logicalId(template, 'AWS::DynamoDB::GlobalTable'), 'Arn'] };
    const statements = handlerStatements(template).filter((statement) => actionsOf(statement).some((action) => action.startsWith('dynamodb:')));
    expect(statements).toEqual([
      expect.objectContaining({
        // BatchGetItem: the delivery metrics read commits' push times by their keys.
        Action: ['dynamodb:BatchGetItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
        Resource: table,
      }),
      expect.objectContaining({ Action: 'dynamodb:Query', Resource: { 'Fn::Join': ['', [table, '/index/gsi1']] } }),
    ]);
    expect(handlerStatements(template).flatMap(actionsOf)).not.toContain('dynamodb:Scan');
  });
});
