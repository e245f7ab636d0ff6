import type { CfnTemplate } from '../../adapters/local/workflow';
import type { ReleaseConfig } from '../../core/config';
import { evaluate, globMatch, PROOF_ACCOUNT, TemplatePolicies, type IamRequest, type Statement } from './iam-evaluator';
import { WORKFLOW_CALLER } from './iam-recorder';

/** Where the permission proof leaves what it recorded, for `npm run iam:unused` (git-ignored). */
export const PROOF_RECORDING = '.cache/iam-proof/recorded-calls.json';

/** The ARNs of the two state machines in the template, resolved in the local account. */
export function stateMachineArns(template: CfnTemplate): { continuous: string; promotion: string } {
  const policies = new TemplatePolicies(template);
  const arn = (workflow: string) => {
    const [id] = Object.entries(template.Resources ?? {}).find(
      ([, resource]) => resource.Type === 'AWS::StepFunctions::StateMachine' && ((resource.Properties?.Tags ?? []) as Array<{ Key: string; Value: string }>).some((tag) => tag.Key === 'cot:workflow' && tag.Value === workflow),
    ) ?? [];
    if (!id) throw new Error(`no ${workflow} state machine in the template`);
    return policies.arnOf(id, 'Ref');
  };
  return { continuous: arn('continuous'), promotion: arn('promotion') };
}

/**
 * A secret's ARN from the name local mode reads it by. Local mode names secrets `<product>/...`; on AWS
 * the same secret is `<stack>/...` (stack-unique names, given to the handlers in their settings), so the
 * first part of the name is the stack's, and the ARN is the template's secret of that name.
 */
export function secretsOnAws(template: CfnTemplate, config: ReleaseConfig): (name: string) => string {
  const policies = new TemplatePolicies(template);
  const byName = new Map(
    Object.entries(template.Resources ?? {})
      .filter(([, resource]) => resource.Type === 'AWS::SecretsManager::Secret')
      .map(([id, resource]) => [String(resource.Properties?.Name), policies.arnOf(id, 'Ref')]),
  );
  // The commit-status tokens are the operator's secrets, read by the names the config gives them; Secrets
  // Manager adds `-` and six random characters to a secret's name in its ARN.
  const tokens = new Set(config.repositories.flatMap((repository) => (repository.commitStatus ? [repository.commitStatus.tokenSecret] : [])));
  const { partition, region, accountId } = PROOF_ACCOUNT;
  return (name) => {
    if (tokens.has(name)) return `arn:${partition}:secretsmanager:${region}:${accountId}:secret:${name}-Xy12Ab`;
    const onAws = `${config.product}-release${name.slice(name.indexOf('/'))}`;
    const arn = byName.get(onAws);
    if (!arn) throw new Error(`no secret named ${onAws} in the template (local name ${name})`);
    return arn;
  };
}

/** The notification topic's ARN and its KMS key's, resolved in the local account. */
export function notificationTopic(template: CfnTemplate): { topicArn: string; topicKeyArn: string } {
  const policies = new TemplatePolicies(template);
  const [id, topic] = Object.entries(template.Resources ?? {}).find(([, resource]) => resource.Type === 'AWS::SNS::Topic') ?? [];
  const key = (topic?.Properties?.KmsMasterKeyId as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt']?.[0];
  if (!id || !key) throw new Error('no encrypted notification topic in the template');
  return { topicArn: policies.arnOf(id, 'Ref'), topicKeyArn: policies.arnOf(key) };
}

/** Where the state machines' Tasks call on AWS: the projects by the names local mode gives them, the artifact bucket. */
export function workflowTargets(template: CfnTemplate, config: ReleaseConfig): { projectArn: (localName: string) => string; artifactBucketArn: string } {
  const policies = new TemplatePolicies(template);
  const resources = Object.entries(template.Resources ?? {});
  const projects = new Map(resources.filter(([, resource]) => resource.Type === 'AWS::CodeBuild::Project').map(([id, resource]) => [String(resource.Properties?.Name), policies.arnOf(id)]));
  // The bucket whose objects the build projects write: the artifact bucket (the other one holds its access logs).
  const [bucket] = resources.find(([id, resource]) => resource.Type === 'AWS::S3::Bucket' && resource.Properties?.VersioningConfiguration !== undefined && id.startsWith('Artifacts')) ?? [];
  if (!bucket) throw new Error('no versioned artifact bucket in the template');
  return {
    // Local mode names a project `<repo>-<kind>`; the stack `<stack>-<repo>-<kind>` (lib/build-projects.ts).
    projectArn: (localName) => {
      const arn = projects.get(`${config.product}-release-${localName}`);
      if (!arn) throw new Error(`no CodeBuild project for ${localName} in the template`);
      return arn;
    },
    artifactBucketArn: policies.arnOf(bucket),
  };
}

/** The role a recorded call is made with: its handler's, or a state machine's for its Tasks' own calls. */
export function roleOf(policies: TemplatePolicies, caller: string): string {
  return caller.startsWith(WORKFLOW_CALLER) ? policies.roleOfStateMachine(caller.slice(WORKFLOW_CALLER.length)) : policies.roleOfHandler(caller);
}

/** The logical id of the CMDB table. */
export function cmdbTableId(template: CfnTemplate): string {
  const [id] = Object.entries(template.Resources ?? {}).find(([, resource]) => resource.Type === 'AWS::DynamoDB::GlobalTable') ?? [];
  if (!id) throw new Error('no CMDB table in the template');
  return id;
}

/** A copy of the template without the one statement of `role`'s policies that lists `action` (on a resource mentioning `on`). */
export function withoutStatement(template: CfnTemplate, role: string, action: string, on = ''): CfnTemplate {
  const copy = structuredClone(template) as CfnTemplate & { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
  let removed = 0;
  for (const resource of Object.values(copy.Resources)) {
    if (resource.Type !== 'AWS::IAM::Policy' || !((resource.Properties.Roles ?? []) as Array<{ Ref?: string }>).some((ref) => ref.Ref === role)) continue;
    const document = resource.Properties.PolicyDocument as { Statement: Array<{ Action: string | string[]; Resource: unknown }> };
    const kept = document.Statement.filter((statement) => !([statement.Action].flat().includes(action) && JSON.stringify(statement.Resource).includes(on)));
    removed += document.Statement.length - kept.length;
    document.Statement = kept;
  }
  if (removed !== 1) throw new Error(`expected one statement of ${role} with ${action}, found ${removed}`);
  return copy;
}

/**
 * Actions no recorded call can use because AWS takes them on the caller's behalf: the Lambda runtime's
 * logs and X-Ray traces, Step Functions' log delivery, the `.sync` integration watching a build (it polls
 * and stops builds and keeps a managed EventBridge rule), and the KMS key of the encrypted topic that SNS
 * uses for a publisher. `iam:unused` lists them apart.
 */
export const ON_OUR_BEHALF = [
  'logs:CreateLogStream',
  'logs:PutLogEvents',
  'xray:*',
  'logs:*LogDeliver*',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
  'codebuild:BatchGetBuilds',
  'codebuild:StopBuild',
  'events:*',
  'kms:GenerateDataKey',
  'kms:Decrypt',
];

export function onOurBehalf(action: string): boolean {
  return ON_OUR_BEHALF.some((pattern) => globMatch(pattern, action, true));
}

/** One grant: an action on a resource, of one statement. */
export interface Grant {
  readonly action: string;
  readonly resource: string;
  readonly sid: string;
}

/**
 * The grants of `statements` that no request used: an action (pattern) on a resource (pattern) of an Allow
 * statement such that no request matching both was allowed by that statement.
 */
export function unusedGrants(statements: readonly Statement[], requests: readonly IamRequest[]): Grant[] {
  const unused: Grant[] = [];
  for (const statement of statements) {
    if (statement.Effect !== 'Allow') continue;
    for (const action of [statement.Action].flat()) {
      for (const resource of [statement.Resource].flat()) {
        const grant: Statement = { ...statement, Action: action, Resource: resource };
        const used = requests.some((request) => globMatch(action, request.action, true) && globMatch(resource, request.resource, false) && evaluate([grant], request).allowed);
        if (!used) unused.push({ action, resource, sid: statement.Sid ?? '' });
      }
    }
  }
  return unused;
}
