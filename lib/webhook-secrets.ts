import { CfnOutput, Stack, Validations } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { ReleaseConfig } from '../core/config';
import { webhookSecretName } from '../core/webhook-intake';
import { resourceOf } from './acknowledge';
import { pascalCase } from './construct-names';

export interface WebhookSecretsProps {
  readonly config: ReleaseConfig;
}

/**
 * One generated webhook secret per repository, named `<stack>/webhook/<repository>` and output as
 * `WebhookSecret<Repository>`: an operator copies its value into the git host's webhook settings
 * (`aws secretsmanager get-secret-value --secret-id <name>`).
 *
 * 40 letters and digits: GitLab compares its token as a plain string and Bitbucket and GitHub use it as
 * an HMAC key; no punctuation means no quoting trouble in any of their forms or in a shell.
 */
export class WebhookSecrets extends Construct {
  /** The secret of each repository, by repository name. */
  readonly secrets: ReadonlyMap<string, secretsmanager.Secret>;
  /** Repository name -> secret name, as the webhook Lambda receives it. */
  readonly names: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: WebhookSecretsProps) {
    super(scope, id);
    const { product, repositories } = props.config;
    const secrets = new Map<string, secretsmanager.Secret>();
    const names: Record<string, string> = {};
    for (const repository of repositories) {
      const secretName = webhookSecretName(product, repository.name, Stack.of(this).stackName);
      // The construct id follows the repository name: renaming a repository makes a new secret.
      const secret = new secretsmanager.Secret(this, `Secret-${repository.name}`, {
        secretName,
        description: `Webhook secret of ${repository.name} (${repository.url}): set it on the ${repository.provider} webhook`,
        generateSecretString: { passwordLength: 40, excludePunctuation: true, includeSpace: false },
      });
      Validations.of(resourceOf(secret)).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason: 'A webhook secret is also stored in the git host\'s webhook settings; it is rotated by hand in both places together.',
      });
      const outputId = `WebhookSecret${pascalCase(repository.name)}`;
      if (this.node.tryFindChild(outputId)) throw new Error(`repositories ${repository.name} and another one both make output ${outputId}: rename one`);
      const output = new CfnOutput(this, outputId, { value: secretName, description: `Secrets Manager name of the ${repository.name} webhook secret` });
      // Operators look the output up by this exact name, wherever the construct sits.
      output.overrideLogicalId(outputId);
      secrets.set(repository.name, secret);
      names[repository.name] = secretName;
    }
    this.secrets = secrets;
    this.names = names;
  }

  grantRead(grantee: Parameters<secretsmanager.Secret['grantRead']>[0]): void {
    for (const secret of this.secrets.values()) secret.grantRead(grantee);
  }
}
