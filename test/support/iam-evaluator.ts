import { IntrinsicResolver, type CfnTemplate, type ResourceOverrides } from '../../adapters/local/workflow/cfn-intrinsics';
import { DEFAULT_LOCAL_ACCOUNT } from '../../adapters/local/workflow/cfn-resource-values';
import { HANDLER_TAG } from '../../lib/handler-function';

/**
 * A small IAM evaluator for the permission proof (docs/deploy-to-aws.md#permission-proof): does a role of
 * the synthesized template allow one request? It reads the identity policies CloudFormation attaches to
 * the role (`AWS::IAM::Policy` resources naming it, and its inline `Policies`), resolves their
 * intrinsics (`Ref`, `Fn::GetAtt`, `Fn::Join`, pseudo parameters) to concrete ARNs in the local account
 * and region, and decides as IAM does for one account with no boundaries or SCPs: an explicit Deny wins,
 * else an Allow whose Action, Resource and Condition all match, else an implicit deny.
 *
 * - Action: `service:Name` with `*` and `?`, case-insensitive. Resource: an ARN with `*` and `?`
 *   (case-sensitive; `*` also crosses `/` and `:`, as in IAM).
 * - Condition: each operator is checked against the request's context keys. A key the request does not
 *   carry fails the condition (fail closed; IAM does the same), except with `...IfExists`. Supported:
 *   StringEquals, StringNotEquals, StringLike, StringNotLike (case-sensitive), StringEqualsIgnoreCase,
 *   ArnEquals, ArnLike, Bool, with `IfExists`. Anything else throws: the evaluator must learn it
 *   before a proof may rely on it, rather than guess.
 * - `NotAction`, `NotResource` and `Principal` (resource policies) are not read: such a statement throws.
 * - Managed policies (`ManagedPolicyArns`) cannot be read offline: a request only they would allow is
 *   denied here, which makes the proof stricter than AWS, never looser.
 */

export interface IamRequest {
  /** `service:Action`, as IAM names it. */
  readonly action: string;
  /** The ARN the action is on. */
  readonly resource: string;
  /** Condition keys the request carries, e.g. `{ 'ses:FromAddress': 'releases@example.com' }`. */
  readonly context?: Readonly<Record<string, string>>;
}

type Values = string | readonly string[];

export interface Statement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: Values;
  readonly Resource: Values;
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, Values>>>>;
}

export interface Decision {
  readonly allowed: boolean;
  /** The statements that allowed (or the one that denied) the request. */
  readonly by: readonly Statement[];
}

/** The local account and region ARNs are resolved in, as local mode's workflows are. */
export const PROOF_ACCOUNT = DEFAULT_LOCAL_ACCOUNT;

/** A template's roles and their statements, resolved once. */
export class TemplatePolicies {
  readonly resolver: IntrinsicResolver;

  constructor(
    readonly template: CfnTemplate,
    overrides: ResourceOverrides = {},
    private readonly stackName = 'local',
  ) {
    this.resolver = new IntrinsicResolver(template, { overrides, stackName, account: PROOF_ACCOUNT });
  }

  /** The logical id of the execution role of the Lambda function tagged `cot:handler=<handler>`. */
  roleOfHandler(handler: string): string {
    for (const resource of Object.values(this.template.Resources ?? {})) {
      if (resource.Type !== 'AWS::Lambda::Function') continue;
      const tags = (resource.Properties?.Tags ?? []) as Array<{ Key: string; Value: string }>;
      if (!tags.some((tag) => tag.Key === HANDLER_TAG && tag.Value === handler)) continue;
      const role = resource.Properties?.Role as { 'Fn::GetAtt'?: [string, string] } | undefined;
      if (role?.['Fn::GetAtt']) return role['Fn::GetAtt'][0];
    }
    throw new Error(`no Lambda function tagged ${HANDLER_TAG}=${handler} in the template`);
  }

  /** The logical id of a state machine's role, by its `cot:workflow` tag. */
  roleOfStateMachine(workflow: string): string {
    for (const resource of Object.values(this.template.Resources ?? {})) {
      if (resource.Type !== 'AWS::StepFunctions::StateMachine') continue;
      const tags = (resource.Properties?.Tags ?? []) as Array<{ Key: string; Value: string }>;
      if (!tags.some((tag) => tag.Key === 'cot:workflow' && tag.Value === workflow)) continue;
      const role = resource.Properties?.RoleArn as { 'Fn::GetAtt'?: [string, string] } | undefined;
      if (role?.['Fn::GetAtt']) return role['Fn::GetAtt'][0];
    }
    throw new Error(`no state machine tagged cot:workflow=${workflow} in the template`);
  }

  /** Every identity-policy statement of a role, resolved, each with the policy's logical id as its `Sid` when it has none. */
  statementsOf(roleLogicalId: string): Statement[] {
    const found: Statement[] = [];
    for (const [id, resource] of Object.entries(this.template.Resources ?? {})) {
      const props = resource.Properties ?? {};
      if (resource.Type === 'AWS::IAM::Policy' && ((props.Roles ?? []) as Array<{ Ref?: string }>).some((role) => role.Ref === roleLogicalId)) {
        found.push(...this.resolved(id, (props.PolicyDocument as { Statement: unknown[] }).Statement));
      }
      if (resource.Type === 'AWS::IAM::Role' && id === roleLogicalId) {
        for (const policy of (props.Policies ?? []) as Array<{ PolicyName: string; PolicyDocument: { Statement: unknown[] } }>) {
          found.push(...this.resolved(`${id}/${policy.PolicyName}`, policy.PolicyDocument.Statement));
        }
      }
    }
    return found;
  }

  /** The ARN a resource's `Ref` or `Fn::GetAtt Arn` resolves to here. */
  arnOf(logicalId: string, attribute: 'Ref' | 'Arn' = 'Arn'): string {
    return this.resolver.resolveString(attribute === 'Ref' ? { Ref: logicalId } : { 'Fn::GetAtt': [logicalId, 'Arn'] }, logicalId);
  }

  private resolved(policyId: string, statements: unknown[]): Statement[] {
    return statements.map((raw, index) => {
      const statement = this.resolver.resolve(raw) as Statement & { NotAction?: unknown; NotResource?: unknown; Principal?: unknown };
      if (statement.NotAction !== undefined || statement.NotResource !== undefined || statement.Principal !== undefined) {
        throw new Error(`${policyId} statement ${index}: NotAction, NotResource and Principal are not evaluated here`);
      }
      return { Sid: statement.Sid ?? `${policyId}#${index}`, ...statement };
    });
  }
}

/** IAM's decision on one request, for one role's statements. */
export function evaluate(statements: readonly Statement[], request: IamRequest): Decision {
  const applies = (statement: Statement) =>
    list(statement.Action).some((pattern) => globMatch(pattern, request.action, true)) &&
    list(statement.Resource).some((pattern) => globMatch(pattern, request.resource, false)) &&
    conditionsHold(statement.Condition, request.context ?? {});
  const deny = statements.find((statement) => statement.Effect === 'Deny' && applies(statement));
  if (deny) return { allowed: false, by: [deny] };
  const allows = statements.filter((statement) => statement.Effect === 'Allow' && applies(statement));
  return { allowed: allows.length > 0, by: allows };
}

function list(values: Values): readonly string[] {
  return typeof values === 'string' ? [values] : values;
}

/** IAM's wildcards: `*` any run of characters (slashes and colons too), `?` one character. */
export function globMatch(pattern: string, value: string, ignoreCase: boolean): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*').replaceAll('?', '.');
  return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's').test(value);
}

type Test = (expected: string, actual: string) => boolean;
const OPERATORS: Record<string, Test> = {
  StringEquals: (expected, actual) => expected === actual,
  StringNotEquals: (expected, actual) => expected !== actual,
  StringEqualsIgnoreCase: (expected, actual) => expected.toLowerCase() === actual.toLowerCase(),
  StringLike: (expected, actual) => globMatch(expected, actual, false),
  StringNotLike: (expected, actual) => !globMatch(expected, actual, false),
  ArnEquals: (expected, actual) => expected === actual,
  ArnLike: (expected, actual) => globMatch(expected, actual, false),
  Bool: (expected, actual) => expected.toLowerCase() === actual.toLowerCase(),
};
/** Negated operators hold when none of the values match; the others when any does. */
const NEGATED = new Set(['StringNotEquals', 'StringNotLike']);

function conditionsHold(condition: Statement['Condition'], context: Readonly<Record<string, string>>): boolean {
  for (const [name, keys] of Object.entries(condition ?? {})) {
    const ifExists = name.endsWith('IfExists');
    const operator = ifExists ? name.slice(0, -'IfExists'.length) : name;
    const test = OPERATORS[operator];
    if (!test) throw new Error(`condition operator ${name} is not evaluated here: teach test/support/iam-evaluator.ts before relying on it`);
    for (const [key, expected] of Object.entries(keys)) {
      // Condition keys are case-insensitive in IAM.
      const found = Object.entries(context).find(([k]) => k.toLowerCase() === key.toLowerCase());
      if (!found) {
        // As in IAM: a missing key fails a positive operator and satisfies a negated one (nothing equals
        // what is absent); `...IfExists` is satisfied either way.
        if (ifExists || NEGATED.has(operator)) continue;
        return false;
      }
      const matches = list(expected).map((value) => test(value, found[1]));
      if (NEGATED.has(operator) ? !matches.every(Boolean) : !matches.some(Boolean)) return false;
    }
  }
  return true;
}
