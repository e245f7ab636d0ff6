import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { GetConnectionCommand, type CodeStarConnectionsClient } from '@aws-sdk/client-codestar-connections';
import { DescribeSecretCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { RepositoryConfig } from '../../core/config';
import { API_URL_OUTPUT } from '../endpoint';
import { errorMessage, errorName, type Check } from './check';
import { describeStack, outputsOf, stackHealth } from './aws-account-checks';

/** The deployed stack; `found` gets its outputs, which name the webhook secrets. */
export function releaseStackCheck(cloudFormation: CloudFormationClient, stackName: string, found: (outputs: Record<string, string>) => void): Check {
  const events = `aws cloudformation describe-stack-events --stack-name ${stackName}`;
  return {
    id: 'stack',
    title: `stack ${stackName} deployed`,
    run: async (signal) => {
      const stack = await describeStack(cloudFormation, stackName, signal);
      if (!stack) return { status: 'warn', detail: 'not deployed yet', fix: 'npx cdk deploy' };
      const outputs = outputsOf(stack);
      const status = stack.StackStatus ?? '?';
      const apiUrl = outputs[API_URL_OUTPUT];
      const detail = `${status}, ${Object.keys(outputs).length} outputs${apiUrl ? `, ${API_URL_OUTPUT} ${apiUrl}` : ''}`;
      switch (stackHealth(stack.StackStatus)) {
        case 'ok':
          found(outputs);
          return { status: 'ok', detail };
        case 'rolled-back':
          found(outputs);
          return { status: 'warn', detail: `${detail}: the last update rolled back`, fix: `see why (${events}), then npx cdk deploy` };
        case 'busy':
          return { status: 'warn', detail, fix: 'wait for the stack operation to finish' };
        case 'broken':
          return {
            status: 'fail',
            detail,
            fix: status === 'ROLLBACK_COMPLETE' ? `the first deploy failed: see why (${events}), delete the stack (aws cloudformation delete-stack --stack-name ${stackName}), then npx cdk deploy` : `see why: ${events}`,
          };
      }
    },
  };
}

/** The output that names a repository's webhook secret: lib/webhook-secrets.ts makes it the same way. */
export function webhookSecretOutput(repository: string): string {
  return `WebhookSecret${repository.split('-').map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join('')}`;
}

/** Described, not read: the value stays in Secrets Manager and only `DescribeSecret` is needed. */
export function webhookSecretCheck(secretsManager: SecretsManagerClient, repository: string, outputs: Readonly<Record<string, string>>): Check {
  const output = webhookSecretOutput(repository);
  const secretName = outputs[output];
  return {
    id: `webhook-secret-${repository}`,
    title: `webhook secret of ${repository}`,
    run: async (signal) => {
      if (!secretName) return { status: 'fail', detail: `the stack has no output ${output}`, fix: 'npx cdk deploy (the stack predates this repository)' };
      try {
        const secret = await secretsManager.send(new DescribeSecretCommand({ SecretId: secretName }), { abortSignal: signal });
        if (secret.DeletedDate) return { status: 'fail', detail: `${secretName} is scheduled for deletion`, fix: `aws secretsmanager restore-secret --secret-id ${secretName}` };
        const current = Object.values(secret.VersionIdsToStages ?? {}).some((stages) => stages.includes('AWSCURRENT'));
        if (!current) return { status: 'fail', detail: `${secretName} has no value`, fix: 'npx cdk deploy, which generates it' };
        return { status: 'ok', detail: `${secretName} (paste its value into the ${repository} webhook: aws secretsmanager get-secret-value --secret-id ${secretName})` };
      } catch (error) {
        if (errorName(error) === 'ResourceNotFoundException') return { status: 'fail', detail: `${secretName} does not exist`, fix: 'npx cdk deploy, which creates it' };
        return { status: 'fail', detail: errorMessage(error) };
      }
    },
  };
}

/** `connectionArn` is optional in the config: only repositories that name one are checked. */
export function connectionArnOf(repository: RepositoryConfig): string | undefined {
  return (repository as { connectionArn?: string }).connectionArn;
}

/**
 * A CodeConnections connection stays PENDING until someone finishes the handshake with the git host in
 * the console. The CodeStar Connections API (its former name) answers for both ARN forms,
 * `arn:aws:codestar-connections:...` and `arn:aws:codeconnections:...`.
 */
export function connectionCheck(connections: (region: string) => CodeStarConnectionsClient, repository: string, connectionArn: string): Check {
  const region = /^arn:aws[\w-]*:(?:codestar-connections|codeconnections):([a-z0-9-]+):\d{12}:connection\/.+$/.exec(connectionArn)?.[1];
  const consoleUrl = `https://console.aws.amazon.com/codesuite/settings/connections?region=${region ?? ''}`;
  return {
    id: `connection-${repository}`,
    title: `connection of ${repository} available`,
    run: async (signal) => {
      if (!region) return { status: 'fail', detail: `"${connectionArn}" is not a connection ARN`, fix: 'copy the ARN from the console (Developer Tools > Settings > Connections) into connectionArn' };
      try {
        const { Connection: connection } = await connections(region).send(new GetConnectionCommand({ ConnectionArn: connectionArn }), { abortSignal: signal });
        const status = connection?.ConnectionStatus ?? 'unknown';
        const detail = `${connection?.ConnectionName ?? connectionArn} (${connection?.ProviderType ?? '?'}) is ${status}`;
        if (status === 'AVAILABLE') return { status: 'ok', detail };
        if (status === 'PENDING') return { status: 'fail', detail, fix: `finish the handshake in the console: ${consoleUrl}` };
        return { status: 'fail', detail, fix: `update the connection in the console: ${consoleUrl}` };
      } catch (error) {
        const fix = errorName(error) === 'ResourceNotFoundException' ? `check connectionArn of ${repository} in the config` : undefined;
        return { status: 'fail', detail: errorMessage(error), ...(fix ? { fix } : {}) };
      }
    },
  };
}
