import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CDK_JSON_CONTEXT } from '../support/cdk-app';
import { tempDir } from '../support/temp-dir';

const example = readFileSync('release.config.yaml', 'utf8');

/** The command `cdk synth` and `cdk deploy` run (cdk.json's `app`), with this test's own Node. */
const [CDK_APP_NAME, ...CDK_APP_ARGS] = (JSON.parse(readFileSync('cdk.json', 'utf8')) as { app: string }).app.split(' ');
const CDK_APP_COMMAND = !CDK_APP_NAME || CDK_APP_NAME === 'node' ? process.execPath : CDK_APP_NAME;

/** One folder for the file's runs (they run side by side, so none is removed when one test ends). */
const runs = tempDir('app');

function runApp(configText: string, context: Record<string, unknown> = {}): Promise<{ code: number | null; stderr: string; outdir: string }> {
  const dir = mkdtempSync(join(runs, 'run-'));
  const file = join(dir, 'release.config.yaml');
  writeFileSync(file, configText);
  // The example's localPath is read relative to the config file and must exist (local mode builds it).
  mkdirSync(join(dir, 'examples', 'sample-service'), { recursive: true });
  const outdir = join(dir, 'cdk.out');
  return new Promise((resolve) => {
    const child = spawn(CDK_APP_COMMAND, CDK_APP_ARGS, {
      // cdk.json's context, as the CLI passes it: its feature flags, and CloudFormation validation errors
      // that stop the synth (`@aws-cdk/core:validateAgainstDefaultRules`).
      env: { ...process.env, COT_CONFIG: file, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify({ ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [], ...context }) },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stderr: stderr.replaceAll(file, 'release.config.yaml'), outdir }));
  });
}

/**
 * A whole synth (CDK's CloudFormation validation, cdk-nag) is about 10 s of CPU in its own process, and
 * the suite runs test files side by side on 2 cores: the synths start first here, before the quick
 * refusals, and each may take this long.
 */
const SYNTH_TIMEOUT_MS = 120_000;

/** The shipped example synthesized without extra context: one synth, looked at by two tests. */
let shipped: ReturnType<typeof runApp> | undefined;
function synthShipped(): ReturnType<typeof runApp> {
  shipped ??= runApp(example);
  return shipped;
}

describe.concurrent('bin/app.ts with a broken release.config.yaml', () => {
  it('synthesizes the shipped example, cdk-nag clean', async () => {
    const { code, stderr, outdir } = await synthShipped();

    expect(stderr).not.toMatch(/AwsSolutions-/);
    expect(code).toBe(0);
    expect(JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')).artifacts).toHaveProperty('sample-service-release');
  }, SYNTH_TIMEOUT_MS);

  it.each([
    ['without the flag', undefined, 0],
    ['with -c apiGatewayLogsRole=true', { apiGatewayLogsRole: 'true' }, 1],
  ])('sets the account\'s API Gateway logging role only when asked: %s', async (_case, context, accounts) => {
    const { code, stderr, outdir } = await (context ? runApp(example, context) : synthShipped());

    expect(code, stderr).toBe(0);
    const template = JSON.parse(readFileSync(join(outdir, 'sample-service-release.template.json'), 'utf8')) as { Resources: Record<string, { Type: string }> };
    expect(Object.values(template.Resources).filter((resource) => resource.Type === 'AWS::ApiGateway::Account')).toHaveLength(accounts);
  }, SYNTH_TIMEOUT_MS);

  it.each([
    ['a duplicate environment', example.replace('name: preproduction', 'name: integration'), 'environments[1].name: duplicate name "integration"'],
    ['an approval environment without approvers', example.replace('approvers: [qa@example.com]', 'approvers: []'), 'environments[1].approvers: an approval environment needs at least one approver'],
    ['a bad duration', example.replace('approvalTimeout: 3d', 'approvalTimeout: 3 days'), 'environments[2].approvalTimeout: must be a whole number followed by s, m, h or d'],
    ['an unknown provider', example.replace('provider: github ', 'provider: gitea  '), 'repositories[0].provider: must be one of "github", "gitlab", "bitbucket"'],
    ['a continuous environment after an approval one', `${example.replace('notifications:', '  - name: late\n    mode: continuous\n    branch: main\nnotifications:')}`, 'environments[3].mode: continuous environment "late" comes after approval environment "preproduction"'],
    ['invalid YAML', `${example}\n  broken: [\n`, 'invalid YAML'],
    ['a gitlab repository without a connection', example.replace('provider: github ', 'provider: gitlab ').replace('https://github.com/', 'https://gitlab.com/'), 'repositories[0].connectionArn: is required for provider "gitlab" on AWS'],
  ])('stops synth on %s with a clear message and no stack trace', async (_case, text, message) => {
    const { code, stderr } = await runApp(text);

    expect(code).toBe(1);
    expect(stderr).toContain('release.config.yaml is not valid:');
    expect(stderr).toContain(message);
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
