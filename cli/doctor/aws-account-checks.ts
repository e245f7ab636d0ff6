import { DescribeStacksCommand, type CloudFormationClient, type Stack } from '@aws-sdk/client-cloudformation';
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { errorMessage, errorName, type Check } from './check';

const CREDENTIALS_FIX = 'aws configure, aws sso login, or AWS_PROFILE=<profile> (https://docs.aws.amazon.com/cli/latest/userguide/cli-chap-configure.html)';

/** No call can be signed without a region: the later checks run only once this one passes. */
export function regionCheck(resolveRegion: () => Promise<string>, found: (region: string) => void): Check {
  return {
    id: 'aws-region',
    title: 'an AWS region is set',
    run: async () => {
      let region: string;
      try {
        region = await resolveRegion();
      } catch (error) {
        return { status: 'fail', detail: errorMessage(error), fix: 'export AWS_REGION=<region>, or set region in ~/.aws/config (aws configure)' };
      }
      found(region);
      return { status: 'ok', detail: region };
    },
  };
}

export function credentialsCheck(sts: STSClient): Check {
  return {
    id: 'aws-credentials',
    title: 'AWS credentials resolve',
    run: async (signal) => {
      try {
        const identity = await sts.send(new GetCallerIdentityCommand({}), { abortSignal: signal });
        return { status: 'ok', detail: `account ${identity.Account ?? '?'} as ${identity.Arn ?? '?'}` };
      } catch (error) {
        return { status: 'fail', detail: errorMessage(error), fix: CREDENTIALS_FIX };
      }
    },
  };
}

/** The stack `cdk bootstrap` makes (default qualifier); `cdk deploy` needs it in the account and region. */
export const BOOTSTRAP_STACK = 'CDKToolkit';

export function bootstrapCheck(cloudFormation: CloudFormationClient, region: string): Check {
  return {
    id: 'cdk-bootstrap',
    title: `CDK bootstrap in ${region}`,
    run: async (signal) => {
      const stack = await describeStack(cloudFormation, BOOTSTRAP_STACK, signal);
      if (!stack) return { status: 'fail', detail: `no ${BOOTSTRAP_STACK} stack`, fix: 'npx cdk bootstrap (once per account and region)' };
      const version = outputsOf(stack).BootstrapVersion;
      const detail = `${BOOTSTRAP_STACK} ${stack.StackStatus ?? '?'}${version ? `, version ${version}` : ''}`;
      switch (stackHealth(stack.StackStatus)) {
        case 'broken':
          return { status: 'fail', detail, fix: `see the stack's events (aws cloudformation describe-stack-events --stack-name ${BOOTSTRAP_STACK}), then npx cdk bootstrap` };
        case 'busy':
          return { status: 'warn', detail, fix: 'wait for the stack operation to finish' };
        default:
          return { status: 'ok', detail };
      }
    },
  };
}

/** A stack, or undefined when CloudFormation says it does not exist. */
export async function describeStack(cloudFormation: CloudFormationClient, stackName: string, signal: AbortSignal): Promise<Stack | undefined> {
  try {
    const answer = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }), { abortSignal: signal });
    return answer.Stacks?.[0];
  } catch (error) {
    // CloudFormation's answer for a missing stack: ValidationError "Stack with id X does not exist".
    if (errorName(error) === 'ValidationError' && /does not exist/.test(errorMessage(error))) return undefined;
    throw error;
  }
}

export function outputsOf(stack: Stack): Record<string, string> {
  return Object.fromEntries((stack.Outputs ?? []).flatMap((output) => (output.OutputKey && output.OutputValue ? [[output.OutputKey, output.OutputValue]] : [])));
}

/**
 * `ok`: a stable state the stack works in; `rolled-back`: the last update failed but the one before
 * stands; `busy`: an operation runs; `broken`: the first create failed, a delete ran, or an operation
 * failed half way.
 */
export function stackHealth(status: string | undefined): 'ok' | 'rolled-back' | 'busy' | 'broken' {
  if (status === undefined) return 'broken';
  if (status === 'UPDATE_ROLLBACK_COMPLETE' || status === 'IMPORT_ROLLBACK_COMPLETE') return 'rolled-back';
  if (status.endsWith('_IN_PROGRESS')) return 'busy';
  if (status.endsWith('_COMPLETE') && status !== 'ROLLBACK_COMPLETE' && status !== 'DELETE_COMPLETE') return 'ok';
  return 'broken';
}
