import { describe, expect, it } from 'vitest';
import type { CfnTemplate } from '../../adapters/local/workflow';
import { evaluate, globMatch, TemplatePolicies, type IamRequest, type Statement } from './iam-evaluator';
import { dynamoRequests } from './iam-recorder';
import { unusedGrants, withoutStatement } from './iam-proof';

const TABLE = 'arn:aws:dynamodb:us-east-1:000000000000:table/cmdb';
const allow = (Action: Statement['Action'], Resource: Statement['Resource'], Condition?: Statement['Condition']): Statement => ({ Effect: 'Allow', Action, Resource, ...(Condition ? { Condition } : {}) });

/** A template of one function whose role has a table grant, an index grant and an SES grant with a condition. */
const template: CfnTemplate = {
  Resources: {
    Cmdb: { Type: 'AWS::DynamoDB::GlobalTable', Properties: { TableName: 'cmdb' } },
    Fn: { Type: 'AWS::Lambda::Function', Properties: { Role: { 'Fn::GetAtt': ['FnRole', 'Arn'] }, Tags: [{ Key: 'cot:handler', Value: 'webhook' }] } },
    FnRole: { Type: 'AWS::IAM::Role', Properties: { Policies: [{ PolicyName: 'inline', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '*' }] } }] } },
    FnPolicy: {
      Type: 'AWS::IAM::Policy',
      Properties: {
        Roles: [{ Ref: 'FnRole' }],
        PolicyDocument: {
          Statement: [
            { Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:PutItem'], Resource: { 'Fn::GetAtt': ['Cmdb', 'Arn'] } },
            { Effect: 'Allow', Action: 'dynamodb:Query', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Cmdb', 'Arn'] }, '/index/*']] } },
            {
              Effect: 'Allow',
              Action: 'ses:SendEmail',
              Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ses:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':identity/*']] },
              Condition: { StringEquals: { 'ses:FromAddress': 'releases@example.com' } },
            },
          ],
        },
      },
    },
    Other: { Type: 'AWS::IAM::Policy', Properties: { Roles: [{ Ref: 'OtherRole' }], PolicyDocument: { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } } },
  },
};

describe('TemplatePolicies: a role\'s statements, resolved in the local account', () => {
  const policies = new TemplatePolicies(template);

  it('finds a handler\'s role and reads its policies and inline policies, with ARNs resolved', () => {
    const statements = policies.statementsOf(policies.roleOfHandler('webhook'));

    expect(statements.map((statement) => statement.Resource)).toEqual(['*', `${TABLE}`, `${TABLE}/index/*`, 'arn:aws:ses:us-east-1:000000000000:identity/*']);
    expect(statements.map((statement) => statement.Sid)).toEqual(['FnRole/inline#0', 'FnPolicy#0', 'FnPolicy#1', 'FnPolicy#2']);
    expect(() => policies.roleOfHandler('operator-api')).toThrow('no Lambda function tagged cot:handler=operator-api');
  });

  it('names a table by the name a test gives it, so recorded commands on that table match', () => {
    const local = new TemplatePolicies(template, { Cmdb: { Ref: 'cmdb-1234' } });
    expect(local.statementsOf('FnRole')[1]!.Resource).toBe('arn:aws:dynamodb:us-east-1:000000000000:table/cmdb-1234');
  });

  it.each<[string, IamRequest, boolean]>([
    ['an action on the table', { action: 'dynamodb:GetItem', resource: TABLE }, true],
    ['an action named in another case', { action: 'DynamoDB:putitem', resource: TABLE }, true],
    ['an action not granted', { action: 'dynamodb:DeleteItem', resource: TABLE }, false],
    ['a granted action on another table', { action: 'dynamodb:GetItem', resource: `${TABLE}-other` }, false],
    ['a Query of an index', { action: 'dynamodb:Query', resource: `${TABLE}/index/gsi1` }, true],
    ['a Query of the table itself (granted on indexes only)', { action: 'dynamodb:Query', resource: TABLE }, false],
    ['an email from the allowed address', { action: 'ses:SendEmail', resource: 'arn:aws:ses:us-east-1:000000000000:identity/qa@example.com', context: { 'ses:FromAddress': 'releases@example.com' } }, true],
    ['an email from another address', { action: 'ses:SendEmail', resource: 'arn:aws:ses:us-east-1:000000000000:identity/qa@example.com', context: { 'ses:FromAddress': 'ceo@example.com' } }, false],
    ['an email that does not say who sends it (fail closed)', { action: 'ses:SendEmail', resource: 'arn:aws:ses:us-east-1:000000000000:identity/qa@example.com' }, false],
  ])('decides %s', (_case, request, allowed) => {
    expect(evaluate(policies.statementsOf('FnRole'), request).allowed).toBe(allowed);
  });
});

describe('evaluate', () => {
  it('lets an explicit Deny win over any Allow', () => {
    const statements: Statement[] = [allow('s3:*', '*'), { Effect: 'Deny', Action: 's3:DeleteObject', Resource: 'arn:aws:s3:::bucket/*' }];
    expect(evaluate(statements, { action: 's3:GetObject', resource: 'arn:aws:s3:::bucket/key' }).allowed).toBe(true);
    expect(evaluate(statements, { action: 's3:DeleteObject', resource: 'arn:aws:s3:::bucket/key' })).toEqual({ allowed: false, by: [statements[1]] });
  });

  it.each<[string, Statement['Condition'], Record<string, string>, boolean]>([
    ['StringLike with a wildcard', { StringLike: { 's3:prefix': 'artifacts/*' } }, { 's3:prefix': 'artifacts/svc/abc/artifact.zip' }, true],
    ['StringLike outside the prefix', { StringLike: { 's3:prefix': 'artifacts/*' } }, { 's3:prefix': 'secrets/x' }, false],
    ['a key named in another case', { StringEquals: { 'iam:PassedToService': 'codebuild.amazonaws.com' } }, { 'IAM:passedToService': 'codebuild.amazonaws.com' }, true],
    ['StringNotEquals against each value', { StringNotEquals: { 'aws:RequestedRegion': ['eu-west-1', 'us-east-1'] } }, { 'aws:RequestedRegion': 'us-east-1' }, false],
    ['any of several values', { StringEquals: { 'aws:RequestedRegion': ['eu-west-1', 'us-east-1'] } }, { 'aws:RequestedRegion': 'us-east-1' }, true],
    ['StringNotEquals without the key (holds, as in IAM)', { StringNotEquals: { 'aws:SourceAccount': '000000000000' } }, {}, true],
    ['StringEquals without the key', { StringEquals: { 'aws:SourceAccount': '000000000000' } }, {}, false],
    ['IfExists without the key', { StringEqualsIfExists: { 'aws:SourceAccount': '000000000000' } }, {}, true],
    ['Bool', { Bool: { 'aws:SecureTransport': 'true' } }, { 'aws:SecureTransport': 'true' }, true],
  ])('checks a condition: %s', (_case, condition, context, allowed) => {
    expect(evaluate([allow('s3:ListBucketVersions', 'arn:aws:s3:::bucket', condition)], { action: 's3:ListBucketVersions', resource: 'arn:aws:s3:::bucket', context }).allowed).toBe(allowed);
  });

  it('refuses to guess an operator it does not know', () => {
    expect(() => evaluate([allow('s3:*', '*', { NumericLessThan: { 's3:max-keys': '10' } })], { action: 's3:ListBucket', resource: 'arn:aws:s3:::b', context: { 's3:max-keys': '5' } })).toThrow(
      'condition operator NumericLessThan is not evaluated here',
    );
  });

  it.each<[string, string, boolean, boolean]>([
    ['arn:aws:logs:*:*:log-group:/aws/codebuild/*', 'arn:aws:logs:us-east-1:1:log-group:/aws/codebuild/p:log-stream:x', false, true],
    ['dynamodb:Get?tem', 'dynamodb:GetItem', false, true],
    ['arn:aws:s3:::bucket/a.b', 'arn:aws:s3:::bucket/aXb', false, false],
    ['Dynamodb:GetItem', 'dynamodb:getitem', true, true],
  ])('matches %s against %s', (pattern, value, ignoreCase, matches) => {
    expect(globMatch(pattern, value, ignoreCase)).toBe(matches);
  });
});

describe('dynamoRequests: what IAM asks of a DynamoDB command', () => {
  it('asks each transaction item\'s action on its table, and a Query of an index on the index', () => {
    expect(
      dynamoRequests('TransactWriteItemsCommand', { TransactItems: [{ Put: { TableName: 'cmdb' } }, { Update: { TableName: 'cmdb' } }, { ConditionCheck: { TableName: 'cmdb' } }, { Delete: { TableName: 'cmdb' } }] }),
    ).toEqual([
      { action: 'dynamodb:PutItem', resource: TABLE },
      { action: 'dynamodb:UpdateItem', resource: TABLE },
      { action: 'dynamodb:ConditionCheckItem', resource: TABLE },
      { action: 'dynamodb:DeleteItem', resource: TABLE },
    ]);
    expect(dynamoRequests('QueryCommand', { TableName: 'cmdb', IndexName: 'gsi1' })).toEqual([{ action: 'dynamodb:Query', resource: `${TABLE}/index/gsi1` }]);
    expect(dynamoRequests('BatchGetItemCommand', { RequestItems: { cmdb: {} } })).toEqual([{ action: 'dynamodb:BatchGetItem', resource: TABLE }]);
  });
});

describe('unusedGrants and withoutStatement', () => {
  const policies = new TemplatePolicies(template);

  it('lists each action on each resource no request used', () => {
    const used: IamRequest[] = [{ action: 'dynamodb:GetItem', resource: TABLE }, { action: 'dynamodb:Query', resource: `${TABLE}/index/gsi1` }];
    expect(unusedGrants(policies.statementsOf('FnRole'), used).map((grant) => `${grant.action} ${grant.resource}`)).toEqual([
      'sqs:SendMessage *',
      `dynamodb:PutItem ${TABLE}`,
      'ses:SendEmail arn:aws:ses:us-east-1:000000000000:identity/*',
    ]);
  });

  it('counts a conditional grant as used only by a request that meets the condition', () => {
    const email = { action: 'ses:SendEmail', resource: 'arn:aws:ses:us-east-1:000000000000:identity/a@example.com' };
    const ses = policies.statementsOf('FnRole').filter((statement) => statement.Action === 'ses:SendEmail');
    expect(unusedGrants(ses, [{ ...email, context: { 'ses:FromAddress': 'other@example.com' } }])).toHaveLength(1);
    expect(unusedGrants(ses, [{ ...email, context: { 'ses:FromAddress': 'releases@example.com' } }])).toEqual([]);
  });

  it('takes one statement out of a role\'s policy, and refuses an ambiguous choice', () => {
    const weaker = new TemplatePolicies(withoutStatement(template, 'FnRole', 'dynamodb:Query'));
    expect(evaluate(weaker.statementsOf('FnRole'), { action: 'dynamodb:Query', resource: `${TABLE}/index/gsi1` }).allowed).toBe(false);
    expect(evaluate(weaker.statementsOf('FnRole'), { action: 'dynamodb:GetItem', resource: TABLE }).allowed).toBe(true);
    expect(() => withoutStatement(template, 'FnRole', 'dynamodb:Scan')).toThrow('expected one statement of FnRole with dynamodb:Scan, found 0');
  });
});
