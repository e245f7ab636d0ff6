import type * as DynamoDb from '@aws-sdk/client-dynamodb';
import type * as SecretsManager from '@aws-sdk/client-secrets-manager';
import type * as Sfn from '@aws-sdk/client-sfn';
import type * as Sesv2 from '@aws-sdk/client-sesv2';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../core/config-file';
import { awsDependencies } from '../../lambdas/aws-wiring';

/** The SDK clients made so far, by service, in the order they were made. */
const made = vi.hoisted(() => [] as string[]);

/** Each SDK client class, counting its instances. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any constructor: the clients differ in their config types
function counting<T extends new (...args: any[]) => object>(service: string, Client: T): T {
  return new Proxy(Client, {
    construct(target, args, newTarget) {
      made.push(service);
      return Reflect.construct(target, args, newTarget) as object;
    },
  });
}

vi.mock('@aws-sdk/client-dynamodb', async (original) => {
  const sdk = await original<typeof DynamoDb>();
  return { ...sdk, DynamoDBClient: counting('dynamodb', sdk.DynamoDBClient) };
});
vi.mock('@aws-sdk/client-sfn', async (original) => {
  const sdk = await original<typeof Sfn>();
  return { ...sdk, SFNClient: counting('sfn', sdk.SFNClient) };
});
vi.mock('@aws-sdk/client-sesv2', async (original) => {
  const sdk = await original<typeof Sesv2>();
  return { ...sdk, SESv2Client: counting('sesv2', sdk.SESv2Client) };
});
vi.mock('@aws-sdk/client-secrets-manager', async (original) => {
  const sdk = await original<typeof SecretsManager>();
  return { ...sdk, SecretsManagerClient: counting('secretsmanager', sdk.SecretsManagerClient) };
});

/** Every variable any function of the stack gets; each handler must read only its own. */
const ENVIRONMENT = {
  TABLE_NAME: 'cmdb',
  PRODUCT: 'acme',
  RELEASE_CONFIG: JSON.stringify(loadConfig('release.config.yaml')),
  PROJECTS: JSON.stringify({ 'sample-service': { build: 'b', deploy: 'd', test: 't' } }),
  ARTIFACT_BUCKET: 'artifacts',
  CONTINUOUS_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:continuous',
  PROMOTION_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:promotion',
  WEBHOOK_SECRETS: JSON.stringify({ 'sample-service': 'acme/webhook/sample-service' }),
  APPROVAL_SIGNING_KEY_SECRET: 'acme/approval-signing-key',
  APPROVAL_BASE_URL: 'https://example.com/prod',
};

describe('awsDependencies', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    made.length = 0;
  });

  it.each([
    ['continuous', ['dynamodb']],
    ['promotion', ['dynamodb']],
    ['approvalRequests', ['dynamodb', 'secretsmanager', 'sesv2', 'sfn']],
    ['approvalPage', ['dynamodb', 'secretsmanager', 'sfn']],
    ['operatorApi', ['dynamodb', 'sfn']],
    ['webhook', ['dynamodb', 'secretsmanager', 'sfn']],
  ] as const)('makes for %s only the clients it uses, one of each', (handler, clients) => {
    // Prepare
    for (const [name, value] of Object.entries(ENVIRONMENT)) vi.stubEnv(name, value);

    // Act
    awsDependencies()[handler]();

    // Assess
    expect([...made].sort()).toEqual(clients);
  });
});
