import type * as DynamoDb from '@aws-sdk/client-dynamodb';
import type * as SecretsManager from '@aws-sdk/client-secrets-manager';
import type * as Sfn from '@aws-sdk/client-sfn';
import type * as Sesv2 from '@aws-sdk/client-sesv2';
import type * as Sns from '@aws-sdk/client-sns';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../core/config-file';
import { dependencies as approvalPage } from '../../lambdas/approval-page';
import { dependencies as approvalRequest } from '../../lambdas/approval-request';
import { dependencies as continuousStep } from '../../lambdas/continuous-step';
import { dependencies as operatorApi } from '../../lambdas/operator-api';
import { dependencies as promotionStep } from '../../lambdas/promotion-step';
import { dependencies as reconcile } from '../../lambdas/reconcile';
import { dependencies as webhook } from '../../lambdas/webhook';
import { SETTINGS_FILE } from '../../lambdas/handler-environment';
import { tempDir } from '../support/temp-dir';

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
vi.mock('@aws-sdk/client-sns', async (original) => {
  const sdk = await original<typeof Sns>();
  return { ...sdk, SNSClient: counting('sns', sdk.SNSClient) };
});
vi.mock('@aws-sdk/client-secrets-manager', async (original) => {
  const sdk = await original<typeof SecretsManager>();
  return { ...sdk, SecretsManagerClient: counting('secretsmanager', sdk.SecretsManagerClient) };
});

/** Every setting any function of the stack is bundled with, in the folder Lambda unpacks the code to. */
const CODE_DIR = tempDir('code');
const config = loadConfig('release.config.yaml');
writeFileSync(
  join(CODE_DIR, SETTINGS_FILE),
  JSON.stringify({
    config,
    projects: { 'sample-service': { build: 'b', deploy: 'd', test: 't' } },
    webhookSecrets: { 'sample-service': 'acme/webhook/sample-service' },
  }),
);

/** Every variable any function of the stack gets; each handler must read only its own. */
const ENVIRONMENT = {
  LAMBDA_TASK_ROOT: CODE_DIR,
  TABLE_NAME: 'cmdb',
  PRODUCT: 'acme',
  ARTIFACT_BUCKET: 'artifacts',
  CONTINUOUS_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:continuous',
  PROMOTION_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:promotion',
  APPROVAL_SIGNING_KEY_SECRET: 'acme/approval-signing-key',
  APPROVAL_BASE_URL: 'https://example.com/prod',
  REMINDER_SCHEDULES: 'cot-reminders-test/cot-reminders-test',
  NOTIFICATION_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:notifications',
};

describe('awsDependencies', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    made.length = 0;
  });

  it.each([
    ['continuous', continuousStep, ['dynamodb']],
    ['promotion', promotionStep, ['dynamodb']],
    ['approvalRequests', approvalRequest, ['dynamodb', 'secretsmanager', 'sesv2', 'sfn', 'sns']],
    ['approvalPage', approvalPage, ['dynamodb', 'secretsmanager', 'sfn']],
    ['operatorApi', operatorApi, ['dynamodb', 'sfn']],
    ['webhook', webhook, ['dynamodb', 'secretsmanager', 'sfn']],
    ['reconcile', reconcile, ['dynamodb']],
  ] as const)('makes for %s only the clients it uses, one of each', (_use, dependencies, clients) => {
    // Prepare
    for (const [name, value] of Object.entries(ENVIRONMENT)) vi.stubEnv(name, value);

    // Act
    dependencies();

    // Assess
    expect([...made].sort()).toEqual(clients);
  });

  it('reads the config from the settings bundled with the code, not from the environment', () => {
    const deps = webhook({ env: ENVIRONMENT });

    expect(deps.config).toEqual(config);
    expect(deps.secretNames).toEqual({ 'sample-service': 'acme/webhook/sample-service' });
  });

  it('names each variable of its own that the environment lacks, and no other', () => {
    const { TABLE_NAME: _table, CONTINUOUS_STATE_MACHINE_ARN: _arn, ...rest } = ENVIRONMENT;

    expect(() => webhook({ env: rest })).toThrow("the webhook function's environment lacks TABLE_NAME, CONTINUOUS_STATE_MACHINE_ARN");
    expect(() => operatorApi({ env: rest })).toThrow("the operator-api function's environment lacks TABLE_NAME");
  });

  it('refuses settings that are missing or not its own', () => {
    const dir = tempDir('code');
    writeFileSync(join(dir, SETTINGS_FILE), JSON.stringify({ config }));

    expect(() => webhook({ env: ENVIRONMENT, codeDir: dir })).toThrow(`the webhook function's ${SETTINGS_FILE} is not valid`);
    expect(() => operatorApi({ env: { ...ENVIRONMENT, LAMBDA_TASK_ROOT: undefined } })).toThrow('LAMBDA_TASK_ROOT is not set');
  });
});
