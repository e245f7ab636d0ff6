import { type CfnResource, Stack } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';

/*
 * cdk-nag reports a finding on the CloudFormation resource that has it, and an acknowledgement covers
 * the construct it is made on and everything below. These find the one resource, so that a reason given
 * for one statement never hides the same finding elsewhere in a construct.
 */

/** The `AWS::IAM::Policy` holding the statements added to a role: where IAM5 findings are reported. */
export function defaultPolicyOf(role: iam.IRole | undefined): CfnResource {
  const policy = role?.node.tryFindChild('DefaultPolicy');
  const resource = policy?.node.defaultChild;
  if (!resource) throw new Error(`${role?.node.path ?? 'a role'} has no default policy to acknowledge findings on`);
  return resource as CfnResource;
}

/** The CloudFormation resource of an L2 construct (the function, the role, the method). */
export function resourceOf(construct: IConstruct): CfnResource {
  const resource = construct.node.defaultChild;
  if (!resource) throw new Error(`${construct.node.path} has no CloudFormation resource of its own`);
  return resource as CfnResource;
}

/**
 * A resource as cdk-nag writes it in a finding id (`AwsSolutions-IAM5[Resource::<that>]`): the resolved
 * value, with `Ref` as `<Name>` and `Fn::GetAtt` as `<Name.Attribute>`.
 */
export function nagResource(scope: IConstruct, value: string): string {
  const render = (part: unknown): string => {
    if (typeof part === 'string') return part;
    const intrinsic = part as { Ref?: string; 'Fn::GetAtt'?: string[]; 'Fn::Join'?: [string, unknown[]] };
    if (intrinsic.Ref !== undefined) return `<${intrinsic.Ref}>`;
    if (intrinsic['Fn::GetAtt'] !== undefined) return `<${intrinsic['Fn::GetAtt'].join('.')}>`;
    if (intrinsic['Fn::Join'] !== undefined) return intrinsic['Fn::Join'][1].map(render).join(intrinsic['Fn::Join'][0]);
    throw new Error(`cannot render ${JSON.stringify(part)} as cdk-nag does`);
  };
  return render(Stack.of(scope).resolve(value));
}
