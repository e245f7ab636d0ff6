import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { ReleaseConfig } from '../core/config';

/** The token secrets the config names for commit statuses (`repositories[].commitStatus.tokenSecret`), each once. */
export function commitStatusTokenSecrets(config: ReleaseConfig): string[] {
  return [...new Set(config.repositories.flatMap((repository) => (repository.commitStatus ? [repository.commitStatus.tokenSecret] : [])))];
}

/**
 * Lets the function `fn` read the commit-status token secrets of the config, and no other secret
 * (docs/operations.md#commit-statuses). The secrets are made by the operator, not the stack, so each is
 * named by the ARN Secrets Manager gives a secret of that name: `<name>-` and six random characters.
 * Nothing is granted when no repository asks for commit statuses.
 */
export function grantCommitStatusTokens(fn: lambda.IFunction, config: ReleaseConfig): void {
  const names = commitStatusTokenSecrets(config);
  if (names.length === 0) return;
  const stack = Stack.of(fn);
  iam.Grant.addToPrincipal({
    grantee: fn,
    actions: ['secretsmanager:GetSecretValue'],
    resourceArns: names.map((name) => stack.formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: `${name}-??????`, arnFormat: ArnFormat.COLON_RESOURCE_NAME })),
  });
}
