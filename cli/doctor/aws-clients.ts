import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CodeStarConnectionsClient } from '@aws-sdk/client-codestar-connections';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { STSClient } from '@aws-sdk/client-sts';

/** The SDK clients the AWS checks call; tests pass clients mocked with aws-sdk-client-mock. */
export interface AwsClients {
  readonly sts: STSClient;
  readonly cloudFormation: CloudFormationClient;
  readonly ses: SESv2Client;
  readonly secretsManager: SecretsManagerClient;
  /** A connection answers in the region of its ARN, which may not be the default one. */
  connections(region: string): CodeStarConnectionsClient;
  /** The region the clients use (AWS_REGION, else the profile's); rejects when none is set. */
  region(): Promise<string>;
}

/**
 * The one place `cot doctor` makes SDK clients: the caller's default credential chain and region, as
 * `cdk deploy` uses them. Two attempts each, so a failing call is reported well inside a check's time.
 */
export function createAwsClients(): AwsClients & { destroy(): void } {
  const options = { maxAttempts: 2 };
  const sts = new STSClient(options);
  const cloudFormation = new CloudFormationClient(options);
  const ses = new SESv2Client(options);
  const secretsManager = new SecretsManagerClient(options);
  const connections = new Map<string, CodeStarConnectionsClient>();
  return {
    sts,
    cloudFormation,
    ses,
    secretsManager,
    connections: (region) => {
      let client = connections.get(region);
      if (!client) connections.set(region, (client = new CodeStarConnectionsClient({ ...options, region })));
      return client;
    },
    region: () => sts.config.region(),
    destroy: () => {
      for (const client of [sts, cloudFormation, ses, secretsManager, ...connections.values()]) client.destroy();
    },
  };
}
