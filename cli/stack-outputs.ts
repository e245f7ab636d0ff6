import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CliError, EXIT } from './exit-codes';

/** Reads a stack's outputs with the caller's credentials and default region. */
export async function readStackOutputs(stackName: string): Promise<Record<string, string>> {
  const client = new CloudFormationClient({});
  try {
    const answer = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    const outputs = answer.Stacks?.[0]?.Outputs ?? [];
    return Object.fromEntries(outputs.flatMap((output) => (output.OutputKey && output.OutputValue ? [[output.OutputKey, output.OutputValue]] : [])));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // CloudFormation answers ValidationError for a stack that does not exist: the name is wrong.
    if (error instanceof Error && error.name === 'ValidationError') throw new CliError(`stack ${stackName}: ${message}`, EXIT.usage, { cause: error });
    throw new CliError(`cannot read stack ${stackName}: ${message}`, EXIT.failed, { cause: error });
  } finally {
    client.destroy();
  }
}
