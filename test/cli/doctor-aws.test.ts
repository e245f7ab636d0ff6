import { CloudFormationClient, DescribeStacksCommand, type Stack } from '@aws-sdk/client-cloudformation';
import { CodeStarConnectionsClient, GetConnectionCommand, ResourceNotFoundException as ConnectionNotFound } from '@aws-sdk/client-codestar-connections';
import { DescribeSecretCommand, ResourceNotFoundException as SecretNotFound, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetAccountCommand, GetEmailIdentityCommand, NotFoundException, SESv2Client } from '@aws-sdk/client-sesv2';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ReleaseConfig } from '../../core/config';
import { parseConfig } from '../../core/config-file';
import type { AwsClients } from '../../cli/doctor/aws-clients';
import { bootstrapCheck, credentialsCheck, regionCheck } from '../../cli/doctor/aws-account-checks';
import { sesIdentityCheck, sesSandboxCheck } from '../../cli/doctor/aws-email-checks';
import { connectionCheck, releaseStackCheck, webhookSecretCheck, webhookSecretOutput } from '../../cli/doctor/aws-stack-checks';
import { exitCodeOf, runCheck, type Check } from '../../cli/doctor/check';
import type { LocalProbes } from '../../cli/doctor/local-checks';
import { runDoctor } from '../../cli/doctor/run-doctor';
import { runCot } from './support/run-cot';

const sts = mockClient(STSClient);
const cloudFormation = mockClient(CloudFormationClient);
const ses = mockClient(SESv2Client);
const secretsManager = mockClient(SecretsManagerClient);
const connections = mockClient(CodeStarConnectionsClient);
beforeEach(() => {
  for (const mock of [sts, cloudFormation, ses, secretsManager, connections]) mock.reset();
});

const ACCOUNT = '123456789012';
const CONNECTION_ARN = `arn:aws:codeconnections:eu-west-1:${ACCOUNT}:connection/0a1b2c3d`;
const CONFIG: ReleaseConfig = parseConfig(`
product: shop
repositories:
  - { name: web-app, provider: gitlab, url: https://gitlab.com/acme/web-app }
  - { name: api, provider: github, url: https://github.com/acme/api }
environments:
  - { name: integration, mode: continuous, branch: main }
  - { name: preproduction, mode: approval, approvers: [qa@example.com] }
  - { name: production, mode: approval, approvers: [rm@example.com, qa@example.com] }
notifications:
  from: releases@example.com
`);
/** The config with `connectionArn` on web-app: the field is optional and may not be in the schema yet. */
const WITH_CONNECTION = { ...CONFIG, repositories: CONFIG.repositories.map((repository) => (repository.name === 'web-app' ? { ...repository, connectionArn: CONNECTION_ARN } : repository)) } as ReleaseConfig;

const STACK_OUTPUTS = { ApiUrl: 'https://abc.execute-api.us-east-1.amazonaws.com/prod/', WebhookSecretWebApp: 'shop/webhook/web-app', WebhookSecretApi: 'shop/webhook/api' };

function stack(name: string, status: string, outputs: Record<string, string> = {}): { Stacks: Stack[] } {
  return { Stacks: [{ StackName: name, StackStatus: status as Stack['StackStatus'], CreationTime: new Date(0), Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })) }] };
}

function missingStack(name: string): Error {
  return Object.assign(new Error(`Stack with id ${name} does not exist`), { name: 'ValidationError' });
}

const run = (check: Check) => runCheck(check, 1_000);

describe('region and credentials', () => {
  it('a region is ok; none fails with how to set one', async () => {
    let found: string | undefined;
    expect(await run(regionCheck(async () => 'eu-west-1', (region) => (found = region)))).toMatchObject({ id: 'aws-region', status: 'ok', detail: 'eu-west-1' });
    expect(found).toBe('eu-west-1');
    const none = await run(regionCheck(() => Promise.reject(new Error('Region is missing')), () => undefined));
    expect(none).toMatchObject({ status: 'fail', detail: 'Region is missing', fix: expect.stringContaining('AWS_REGION') });
  });

  it('prints the account and ARN the credentials belong to', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/ana`, UserId: 'AIDA' });
    expect(await run(credentialsCheck(new STSClient({})))).toEqual({
      id: 'aws-credentials',
      status: 'ok',
      title: 'AWS credentials resolve',
      detail: `account ${ACCOUNT} as arn:aws:iam::${ACCOUNT}:user/ana`,
    });
  });

  it('credentials that do not resolve fail with the message and how to configure them, no stack trace', async () => {
    sts.on(GetCallerIdentityCommand).rejects(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }));
    const result = await run(credentialsCheck(new STSClient({})));
    expect(result).toMatchObject({ status: 'fail', detail: 'Could not load credentials from any providers', fix: expect.stringContaining('aws sso login') });
    expect(JSON.stringify(result)).not.toMatch(/\n\s+at /);
  });
});

describe('CDK bootstrap', () => {
  const check = () => bootstrapCheck(new CloudFormationClient({}), 'eu-west-1');

  it('CDKToolkit complete is ok, with its version', async () => {
    cloudFormation.on(DescribeStacksCommand, { StackName: 'CDKToolkit' }).resolves(stack('CDKToolkit', 'UPDATE_COMPLETE', { BootstrapVersion: '28' }));
    expect(await run(check())).toMatchObject({ id: 'cdk-bootstrap', status: 'ok', title: 'CDK bootstrap in eu-west-1', detail: 'CDKToolkit UPDATE_COMPLETE, version 28' });
  });

  it('no CDKToolkit stack fails: npx cdk bootstrap', async () => {
    cloudFormation.on(DescribeStacksCommand).rejects(missingStack('CDKToolkit'));
    expect(await run(check())).toMatchObject({ status: 'fail', detail: 'no CDKToolkit stack', fix: 'npx cdk bootstrap (once per account and region)' });
  });

  it.each([
    ['UPDATE_IN_PROGRESS', 'warn'],
    ['UPDATE_ROLLBACK_COMPLETE', 'ok'],
    ['ROLLBACK_COMPLETE', 'fail'],
    ['UPDATE_ROLLBACK_FAILED', 'fail'],
  ])('%s is %s', async (status, expected) => {
    cloudFormation.on(DescribeStacksCommand).resolves(stack('CDKToolkit', status));
    expect((await run(check())).status).toBe(expected);
  });

  it('another error (no permission) fails with its message', async () => {
    cloudFormation.on(DescribeStacksCommand).rejects(Object.assign(new Error('User is not authorized to perform: cloudformation:DescribeStacks'), { name: 'AccessDenied' }));
    expect(await run(check())).toEqual({ id: 'cdk-bootstrap', status: 'fail', title: 'CDK bootstrap in eu-west-1', detail: 'User is not authorized to perform: cloudformation:DescribeStacks' });
  });

  it('a call that does not answer in time fails the check', async () => {
    cloudFormation.on(DescribeStacksCommand).callsFake(() => new Promise(() => undefined));
    expect(await runCheck(check(), 30)).toMatchObject({ status: 'fail', detail: 'no answer within 30 ms' });
  });
});

describe('SES identity of notifications.from', () => {
  const check = () => sesIdentityCheck(new SESv2Client({}), 'releases@example.com', 'eu-west-1');
  const notFound = () => new NotFoundException({ message: 'Email identity does not exist', $metadata: {} });

  it('the verified address is ok', async () => {
    ses.on(GetEmailIdentityCommand, { EmailIdentity: 'releases@example.com' }).resolves({ VerifiedForSendingStatus: true, VerificationStatus: 'SUCCESS' });
    expect(await run(check())).toMatchObject({ id: 'ses-identity', status: 'ok', detail: 'releases@example.com is verified' });
  });

  it('a verified domain covers the address', async () => {
    ses.on(GetEmailIdentityCommand, { EmailIdentity: 'releases@example.com' }).rejects(notFound());
    ses.on(GetEmailIdentityCommand, { EmailIdentity: 'example.com' }).resolves({ VerifiedForSendingStatus: true });
    expect(await run(check())).toMatchObject({ status: 'ok', detail: 'its domain example.com is verified' });
  });

  it('an address waiting for its link fails: open the link', async () => {
    ses.on(GetEmailIdentityCommand, { EmailIdentity: 'releases@example.com' }).resolves({ VerifiedForSendingStatus: false, VerificationStatus: 'PENDING' });
    ses.on(GetEmailIdentityCommand, { EmailIdentity: 'example.com' }).rejects(notFound());
    expect(await run(check())).toMatchObject({ status: 'fail', detail: 'releases@example.com is PENDING', fix: expect.stringContaining('open the link SES emailed to releases@example.com') });
  });

  it('an unverified domain fails: publish its DNS records', async () => {
    ses.on(GetEmailIdentityCommand, { EmailIdentity: 'releases@example.com' }).rejects(notFound());
    ses.on(GetEmailIdentityCommand, { EmailIdentity: 'example.com' }).resolves({ VerifiedForSendingStatus: false, VerificationStatus: 'FAILED' });
    expect(await run(check())).toMatchObject({ status: 'fail', detail: 'its domain example.com is FAILED', fix: expect.stringContaining('get-email-identity --email-identity example.com') });
  });

  it('no identity at all fails with the command that creates it', async () => {
    ses.on(GetEmailIdentityCommand).rejects(notFound());
    expect(await run(check())).toMatchObject({
      status: 'fail',
      detail: 'neither releases@example.com nor example.com is an SES identity in eu-west-1',
      fix: 'aws sesv2 create-email-identity --email-identity releases@example.com, then open the link SES emails to it',
    });
  });
});

describe('SES sandbox', () => {
  const check = () => sesSandboxCheck(new SESv2Client({}), CONFIG);

  it('production access is ok', async () => {
    ses.on(GetAccountCommand).resolves({ ProductionAccessEnabled: true, SendingEnabled: true });
    expect(await run(check())).toMatchObject({ id: 'ses-sandbox', status: 'ok' });
  });

  it('the sandbox is a warning that lists every approver once', async () => {
    ses.on(GetAccountCommand).resolves({ ProductionAccessEnabled: false, SendingEnabled: true });
    expect(await run(check())).toMatchObject({
      status: 'warn',
      detail: 'in the sandbox: every approver must be a verified identity too: qa@example.com, rm@example.com',
      fix: expect.stringContaining('request-production-access'),
    });
  });

  it('paused sending fails', async () => {
    ses.on(GetAccountCommand).resolves({ ProductionAccessEnabled: true, SendingEnabled: false });
    expect(await run(check())).toMatchObject({ status: 'fail', detail: 'sending is paused for this account' });
  });
});

describe('connections', () => {
  const regions: string[] = [];
  const client = (region: string) => (regions.push(region), new CodeStarConnectionsClient({ region }));
  const check = (arn = CONNECTION_ARN) => connectionCheck(client, 'web-app', arn);

  it('AVAILABLE is ok, asked in the region of the ARN', async () => {
    regions.length = 0;
    connections.on(GetConnectionCommand, { ConnectionArn: CONNECTION_ARN }).resolves({ Connection: { ConnectionName: 'gitlab-acme', ProviderType: 'GitLab', ConnectionStatus: 'AVAILABLE' } });
    expect(await run(check())).toMatchObject({ id: 'connection-web-app', status: 'ok', detail: 'gitlab-acme (GitLab) is AVAILABLE' });
    expect(regions).toEqual(['eu-west-1']);
  });

  it('PENDING fails: finish the handshake in the console', async () => {
    connections.on(GetConnectionCommand).resolves({ Connection: { ConnectionName: 'gitlab-acme', ProviderType: 'GitLab', ConnectionStatus: 'PENDING' } });
    expect(await run(check())).toMatchObject({
      status: 'fail',
      detail: 'gitlab-acme (GitLab) is PENDING',
      fix: 'finish the handshake in the console: https://console.aws.amazon.com/codesuite/settings/connections?region=eu-west-1',
    });
  });

  it('ERROR fails', async () => {
    connections.on(GetConnectionCommand).resolves({ Connection: { ConnectionStatus: 'ERROR' } });
    expect(await run(check())).toMatchObject({ status: 'fail', fix: expect.stringContaining('update the connection') });
  });

  it('an unknown connection fails, pointing at the config', async () => {
    connections.on(GetConnectionCommand).rejects(new ConnectionNotFound({ message: 'Connection not found', $metadata: {} }));
    expect(await run(check())).toMatchObject({ status: 'fail', detail: 'Connection not found', fix: 'check connectionArn of web-app in the config' });
  });

  it('the old ARN form is asked too; something else is not an ARN', async () => {
    connections.on(GetConnectionCommand).resolves({ Connection: { ConnectionStatus: 'AVAILABLE' } });
    expect((await run(check(`arn:aws:codestar-connections:us-east-1:${ACCOUNT}:connection/x`))).status).toBe('ok');
    expect(await run(check('gitlab-acme'))).toMatchObject({ status: 'fail', detail: '"gitlab-acme" is not a connection ARN' });
    expect(connections.commandCalls(GetConnectionCommand)).toHaveLength(1);
  });
});

describe('the deployed stack', () => {
  const check = (found: (outputs: Record<string, string>) => void = () => undefined) => releaseStackCheck(new CloudFormationClient({}), 'shop-release', found);

  it('a complete stack is ok and hands on its outputs', async () => {
    cloudFormation.on(DescribeStacksCommand, { StackName: 'shop-release' }).resolves(stack('shop-release', 'CREATE_COMPLETE', STACK_OUTPUTS));
    let outputs: Record<string, string> | undefined;
    expect(await run(check((found) => (outputs = found)))).toMatchObject({
      id: 'stack',
      status: 'ok',
      title: 'stack shop-release deployed',
      detail: `CREATE_COMPLETE, 3 outputs, ApiUrl ${STACK_OUTPUTS.ApiUrl}`,
    });
    expect(outputs).toEqual(STACK_OUTPUTS);
  });

  it('not deployed yet is a warning: npx cdk deploy', async () => {
    cloudFormation.on(DescribeStacksCommand).rejects(missingStack('shop-release'));
    expect(await run(check())).toMatchObject({ status: 'warn', detail: 'not deployed yet', fix: 'npx cdk deploy' });
  });

  it.each([
    ['UPDATE_ROLLBACK_COMPLETE', 'warn', /describe-stack-events --stack-name shop-release\), then npx cdk deploy/],
    ['UPDATE_IN_PROGRESS', 'warn', /wait/],
    ['ROLLBACK_COMPLETE', 'fail', /delete-stack --stack-name shop-release/],
    ['UPDATE_ROLLBACK_FAILED', 'fail', /describe-stack-events --stack-name shop-release/],
  ])('%s is %s', async (status, expected, fix) => {
    cloudFormation.on(DescribeStacksCommand).resolves(stack('shop-release', status));
    expect(await run(check())).toMatchObject({ status: expected, fix: expect.stringMatching(fix) });
  });
});

describe('webhook secrets', () => {
  const check = (outputs: Record<string, string> = STACK_OUTPUTS) => webhookSecretCheck(new SecretsManagerClient({}), 'web-app', outputs);

  it('the output is named as the stack names it', () => {
    expect(webhookSecretOutput('web-app')).toBe('WebhookSecretWebApp');
    expect(webhookSecretOutput('sample-service')).toBe('WebhookSecretSampleService');
  });

  it('a secret with a current value is ok, and nothing reads the value', async () => {
    secretsManager.on(DescribeSecretCommand, { SecretId: 'shop/webhook/web-app' }).resolves({ Name: 'shop/webhook/web-app', VersionIdsToStages: { v1: ['AWSCURRENT'] } });
    expect(await run(check())).toMatchObject({ id: 'webhook-secret-web-app', status: 'ok', detail: expect.stringContaining('shop/webhook/web-app') });
    expect(secretsManager.calls().map((call) => call.args[0].constructor.name)).toEqual(['DescribeSecretCommand']);
  });

  it.each([
    ['no output for it', {}, undefined, /the stack has no output WebhookSecretWebApp/],
    ['a missing secret', STACK_OUTPUTS, new SecretNotFound({ message: 'not found', $metadata: {} }), /shop\/webhook\/web-app does not exist/],
    ['a secret being deleted', STACK_OUTPUTS, { DeletedDate: new Date(), VersionIdsToStages: { v1: ['AWSCURRENT'] } }, /scheduled for deletion/],
    ['a secret without a value', STACK_OUTPUTS, { VersionIdsToStages: {} }, /has no value/],
  ])('%s fails', async (_case, outputs, answer, detail) => {
    if (answer instanceof Error) secretsManager.on(DescribeSecretCommand).rejects(answer);
    else if (answer) secretsManager.on(DescribeSecretCommand).resolves(answer);
    const result = await run(check(outputs));
    expect(result).toMatchObject({ status: 'fail', detail: expect.stringMatching(detail), fix: expect.any(String) });
  });
});

/** An account where everything is ready. */
function readyAccount(): void {
  sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/ana` });
  cloudFormation.on(DescribeStacksCommand, { StackName: 'CDKToolkit' }).resolves(stack('CDKToolkit', 'CREATE_COMPLETE', { BootstrapVersion: '28' }));
  cloudFormation.on(DescribeStacksCommand, { StackName: 'shop-release' }).resolves(stack('shop-release', 'UPDATE_COMPLETE', STACK_OUTPUTS));
  ses.on(GetEmailIdentityCommand).resolves({ VerifiedForSendingStatus: true });
  ses.on(GetAccountCommand).resolves({ ProductionAccessEnabled: true, SendingEnabled: true });
  connections.on(GetConnectionCommand).resolves({ Connection: { ConnectionStatus: 'AVAILABLE' } });
  secretsManager.on(DescribeSecretCommand).resolves({ VersionIdsToStages: { v1: ['AWSCURRENT'] } });
}

describe('cot doctor --endpoint aws, all checks', () => {
  const probes: LocalProbes = { nodeVersion: () => 'v22.12.0', javaVersion: () => Promise.reject(new Error('not asked')), gitVersion: () => Promise.reject(new Error('not asked')), fetch: () => Promise.reject(new Error('not asked')) };
  let destroyed = 0;
  const deps = (config: ReleaseConfig | Error = WITH_CONNECTION, region: () => Promise<string> = async () => 'us-east-1') => ({
    probes,
    loadConfig: () => {
      if (config instanceof Error) throw config;
      return config;
    },
    awsClients: async (): Promise<AwsClients & { destroy(): void }> => ({
      sts: new STSClient({}),
      cloudFormation: new CloudFormationClient({}),
      ses: new SESv2Client({}),
      secretsManager: new SecretsManagerClient({}),
      connections: (at) => new CodeStarConnectionsClient({ region: at }),
      region,
      destroy: () => void destroyed++,
    }),
  });
  const aws = { target: 'aws', configFile: 'release.config.yaml' } as const;

  it('a ready account: every check in order, exit 0, clients destroyed', async () => {
    readyAccount();
    destroyed = 0;
    const results = await runDoctor(aws, deps());
    expect(results.map((result) => `${result.status} ${result.id}`)).toEqual([
      'ok node',
      'ok config',
      'ok aws-region',
      'ok aws-credentials',
      'ok cdk-bootstrap',
      'ok ses-identity',
      'ok ses-sandbox',
      'ok connection-web-app',
      'ok stack',
      'ok webhook-secret-web-app',
      'ok webhook-secret-api',
    ]);
    expect(exitCodeOf(results)).toBe(0);
    expect(destroyed).toBe(1);
  });

  it('without a region nothing is asked of AWS', async () => {
    readyAccount();
    const results = await runDoctor(aws, deps(CONFIG, () => Promise.reject(new Error('Region is missing'))));
    expect(results.map((result) => result.id)).toEqual(['node', 'config', 'aws-region']);
    expect(sts.calls()).toHaveLength(0);
    expect(exitCodeOf(results)).toBe(1);
  });

  it('without credentials it stops after saying so', async () => {
    readyAccount();
    sts.on(GetCallerIdentityCommand).rejects(new Error('The security token included in the request is invalid.'));
    const results = await runDoctor(aws, deps());
    expect(results.at(-1)).toMatchObject({ id: 'aws-credentials', status: 'fail', detail: 'The security token included in the request is invalid.' });
    expect(cloudFormation.calls()).toHaveLength(0);
  });

  it('a stack not deployed yet is a warning and its secrets are not looked for: exit 0', async () => {
    readyAccount();
    cloudFormation.on(DescribeStacksCommand, { StackName: 'shop-release' }).rejects(missingStack('shop-release'));
    const results = await runDoctor(aws, deps(CONFIG));
    expect(results.map((result) => result.id)).not.toContain('webhook-secret-web-app');
    expect(results.find((result) => result.id === 'stack')).toMatchObject({ status: 'warn' });
    expect(results.map((result) => result.id)).not.toContain('connection-web-app');
    expect(exitCodeOf(results)).toBe(0);
  });

  it('a broken config leaves the checks that need it out; --stack still names the stack', async () => {
    readyAccount();
    cloudFormation.on(DescribeStacksCommand, { StackName: 'other-release' }).resolves(stack('other-release', 'CREATE_COMPLETE'));
    const results = await runDoctor({ ...aws, stackName: 'other-release' }, deps(new Error('cannot read')));
    expect(results.map((result) => `${result.status} ${result.id}`)).toEqual(['ok node', 'fail config', 'ok aws-region', 'ok aws-credentials', 'ok cdk-bootstrap', 'ok stack']);
  });
});

describe('cot doctor --endpoint aws, the command with its own SDK clients', () => {
  // The repository's release.config.yaml: product sample-service, notifications from releases@example.com.
  it('prints one line per check and exits 1 when one failed', async () => {
    readyAccount();
    cloudFormation.on(DescribeStacksCommand, { StackName: 'sample-service-release' }).resolves(stack('sample-service-release', 'CREATE_COMPLETE', { WebhookSecretSampleService: 'sample-service/webhook/sample-service' }));
    ses.on(GetAccountCommand).resolves({ ProductionAccessEnabled: false, SendingEnabled: true });
    secretsManager.on(DescribeSecretCommand).rejects(new SecretNotFound({ message: 'not found', $metadata: {} }));

    const run = await runCot(['doctor', '--endpoint', 'aws']);

    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines.slice(0, -2).map((line) => line.slice(0, 6))).toEqual(['ok    ', 'ok    ', 'ok    ', 'ok    ', 'ok    ', 'ok    ', 'warn  ', 'ok    ', 'fail  ']);
    expect(run.stdout).toContain(`ok    AWS credentials resolve: account ${ACCOUNT} as arn:aws:iam::${ACCOUNT}:user/ana\n`);
    expect(run.stdout).toContain('fail  webhook secret of sample-service: sample-service/webhook/sample-service does not exist. Fix: npx cdk deploy, which creates it\n');
    expect(lines.at(-1)).toBe('1 failed, 1 warning, 7 ok');
  });

  it('--json prints the same checks; COT_ENDPOINT=aws and --stack also mean the account', async () => {
    readyAccount();
    cloudFormation.on(DescribeStacksCommand, { StackName: 'custom' }).resolves(stack('custom', 'CREATE_COMPLETE', { WebhookSecretSampleService: 's' }));
    const viaStack = await runCot(['--stack', 'custom', 'doctor', '--json']);
    expect(viaStack.code).toBe(0);
    const results = JSON.parse(viaStack.stdout) as Array<{ id: string; status: string }>;
    expect(results.map((result) => result.id)).toEqual(['node', 'config', 'aws-region', 'aws-credentials', 'cdk-bootstrap', 'ses-identity', 'ses-sandbox', 'stack', 'webhook-secret-sample-service']);
    expect(results.every((result) => Object.keys(result).slice(0, 3).join() === 'id,status,title')).toBe(true);

    cloudFormation.on(DescribeStacksCommand, { StackName: 'sample-service-release' }).resolves(stack('sample-service-release', 'CREATE_COMPLETE', { WebhookSecretSampleService: 's' }));
    expect((await runCot(['doctor', '--json'], { env: { COT_ENDPOINT: 'aws' } })).code).toBe(0);
  });

  it('a bad --endpoint is a usage error (2)', async () => {
    expect(await runCot(['doctor', '--endpoint', 'ftp://x'])).toMatchObject({ code: 2, stderr: expect.stringContaining('must be an http:// or https:// URL') });
    expect((await runCot(['doctor', '--bogus'])).code).toBe(2);
  });
});
