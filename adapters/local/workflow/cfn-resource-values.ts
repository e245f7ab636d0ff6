import { LOCAL_ACCOUNT_ID, LOCAL_PARTITION, LOCAL_REGION, LOCAL_URL_SUFFIX } from './local-aws';

/**
 * Deterministic stand-ins for what CloudFormation would return for `Ref` / `Fn::GetAtt` of a resource
 * that does not exist locally. A name is the resource's own name property when the template sets one,
 * else its logical id; ARNs are built from that name in the fake local account.
 */
export interface LocalAccount {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  readonly urlSuffix: string;
}

export const DEFAULT_LOCAL_ACCOUNT: LocalAccount = {
  partition: LOCAL_PARTITION,
  region: LOCAL_REGION,
  accountId: LOCAL_ACCOUNT_ID,
  urlSuffix: LOCAL_URL_SUFFIX,
};

interface TypeRule {
  /** Property holding an explicit physical name (`TableName`, `FunctionName`, ...). */
  readonly nameProperty?: string;
  /** What `Ref` returns: the name or the ARN (SNS topics, state machines and secrets answer an ARN). */
  readonly ref: 'name' | 'arn' | 'url';
  readonly arn: (name: string, a: LocalAccount) => string;
  /** Further attributes besides `Arn`. */
  readonly attributes?: Record<string, (name: string, a: LocalAccount) => string>;
}

const regional = (service: string, resource: string) => (name: string, a: LocalAccount) =>
  `arn:${a.partition}:${service}:${a.region}:${a.accountId}:${resource}${name}`;

const tableRule: TypeRule = {
  nameProperty: 'TableName',
  ref: 'name',
  arn: regional('dynamodb', 'table/'),
  attributes: {
    StreamArn: (name, a) => `${regional('dynamodb', 'table/')(name, a)}/stream/1970-01-01T00:00:00.000`,
  },
};

const RULES: Record<string, TypeRule> = {
  'AWS::Lambda::Function': { nameProperty: 'FunctionName', ref: 'name', arn: regional('lambda', 'function:') },
  'AWS::CodeBuild::Project': { nameProperty: 'Name', ref: 'name', arn: regional('codebuild', 'project/') },
  'AWS::DynamoDB::Table': tableRule,
  'AWS::DynamoDB::GlobalTable': tableRule,
  'AWS::SNS::Topic': {
    nameProperty: 'TopicName',
    ref: 'arn',
    arn: regional('sns', ''),
    attributes: { TopicArn: regional('sns', ''), TopicName: (name) => name },
  },
  'AWS::SQS::Queue': {
    nameProperty: 'QueueName',
    ref: 'url',
    arn: regional('sqs', ''),
    attributes: { QueueName: (name) => name, QueueUrl: (name, a) => queueUrl(name, a) },
  },
  'AWS::StepFunctions::StateMachine': {
    nameProperty: 'StateMachineName',
    ref: 'arn',
    arn: regional('states', 'stateMachine:'),
    attributes: { Name: (name) => name },
  },
  'AWS::SecretsManager::Secret': { nameProperty: 'Name', ref: 'arn', arn: regional('secretsmanager', 'secret:') },
  'AWS::IAM::Role': {
    nameProperty: 'RoleName',
    ref: 'name',
    arn: (name, a) => `arn:${a.partition}:iam::${a.accountId}:role/${name}`,
    attributes: { RoleId: (name) => `AROA${name.toUpperCase()}` },
  },
  'AWS::S3::Bucket': {
    nameProperty: 'BucketName',
    ref: 'name',
    arn: (name, a) => `arn:${a.partition}:s3:::${name}`,
  },
  'AWS::Events::EventBus': { nameProperty: 'Name', ref: 'name', arn: regional('events', 'event-bus/') },
};

function queueUrl(name: string, a: LocalAccount): string {
  return `https://sqs.${a.region}.${a.urlSuffix}/${a.accountId}/${name}`;
}

/** `AWS::Foo::BarBaz` -> service `foo`, resource `barbaz`, for types without a rule. */
function genericRule(type: string): TypeRule {
  const [, service = 'unknown', resource = 'resource'] = type.split('::');
  return { ref: 'name', arn: regional(service.toLowerCase(), `${resource.toLowerCase()}/`) };
}

export function ruleFor(type: string): TypeRule {
  return RULES[type] ?? genericRule(type);
}

/** `Ref` of a resource whose physical name is `name`. */
export function localRef(type: string, name: string, account: LocalAccount): string {
  const rule = ruleFor(type);
  if (rule.ref === 'arn') return rule.arn(name, account);
  if (rule.ref === 'url') return queueUrl(name, account);
  return name;
}

/** `Fn::GetAtt` of a resource whose physical name is `name`; unknown attributes become `<name>.<attr>`. */
export function localAttribute(type: string, name: string, attribute: string, account: LocalAccount): string {
  const rule = ruleFor(type);
  if (attribute === 'Arn') return rule.arn(name, account);
  const builder = rule.attributes?.[attribute];
  return builder ? builder(name, account) : `${name}.${attribute}`;
}
