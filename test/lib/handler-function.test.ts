import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CfnRestApi } from 'aws-cdk-lib/aws-apigateway';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ReleaseConfig } from '../../core/config';
import { loadConfig } from '../../core/config-file';
import { build } from 'esbuild';
import { SETTINGS_FILE, type HandlerName } from '../../lambdas/handler-environment';
import { CmdbTable } from '../../lib/cmdb-table';
import { environmentBytes, HANDLER_BUNDLING, HandlerFunction, handlerEntry, MAX_ENVIRONMENT_BYTES } from '../../lib/handler-function';
import { ReleaseStack } from '../../lib/release-stack';
import { CDK_JSON_CONTEXT, constructTestApp, testAppProps } from '../support/cdk-app';

/** A config of `count` repositories with realistic names, each URL and name at their usual length. */
function configOf(count: number): ReleaseConfig {
  const shipped = loadConfig('release.config.yaml');
  return ReleaseConfig.parse({
    ...shipped,
    repositories: Array.from({ length: count }, (_, index) => {
      const name = `customer-payments-service-${String(index + 1).padStart(2, '0')}`;
      return { name, provider: 'github', url: `https://github.com/acme-corporation/${name}` };
    }),
  });
}

/** Every function of the stack: its handler and the most bytes its environment can take. */
function environments(template: Template): Record<string, number> {
  const types = Object.fromEntries(Object.entries(template.toJSON().Resources as Record<string, { Type: string }>).map(([id, resource]) => [id, resource.Type]));
  return Object.fromEntries(
    Object.values(template.findResources('AWS::Lambda::Function')).map((fn) => [
      (fn.Properties.Tags as Array<{ Key: string; Value: string }>).find((tag) => tag.Key === 'cot:handler')?.Value,
      environmentBytes(fn.Properties.Environment.Variables as Record<string, unknown>, types),
    ]),
  );
}

function releaseStack(config: ReleaseConfig): { template: Template; stack: ReleaseStack } {
  const app = constructTestApp();
  const stack = new ReleaseStack(app, 'acme-release', { config });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { template: Template.fromStack(stack), stack };
}

describe('HandlerFunction: environment and settings', () => {
  it.each([1, 15])('keeps every environment under 1 KB with %i repositories: the config and projects go with the code', (count) => {
    // Act
    const { template, stack } = releaseStack(configOf(count));

    // Assess
    const sizes = environments(template);
    expect(Object.keys(sizes).sort()).toEqual(['approval-page', 'approval-request', 'console', 'console-page', 'continuous-step', 'operator-api', 'promotion-step', 'reconcile', 'webhook']);
    for (const [handler, bytes] of Object.entries(sizes)) expect(bytes, handler).toBeLessThan(MAX_ENVIRONMENT_BYTES);
    expect(JSON.stringify(template.toJSON())).not.toMatch(/RELEASE_CONFIG|PROJECTS|WEBHOOK_SECRETS/);
    expect(Object.keys(stack.promotion.steps.settings.projects)).toHaveLength(count);
    expect(stack.continuous.steps.settings.projects['customer-payments-service-01']).toEqual({
      build: 'acme-release-customer-payments-service-01-build',
      deploy: 'acme-release-customer-payments-service-01-deploy',
      test: 'acme-release-customer-payments-service-01-test',
    });
    expect(stack.webhooks.handler.settings.config.repositories).toHaveLength(count);
  });

  it('names the CodeBuild projects as the step functions are told', () => {
    const { template } = releaseStack(configOf(1));

    expect(Object.values(template.findResources('AWS::CodeBuild::Project')).map((project) => project.Properties.Name).sort()).toEqual([
      'acme-release-customer-payments-service-01-build',
      'acme-release-customer-payments-service-01-deploy',
      'acme-release-customer-payments-service-01-test',
    ]);
  });

  it('fails synth when an environment could exceed 1 KB, saying so', () => {
    // Prepare
    const app = constructTestApp();
    const stack = new Stack(app, 'Test');
    const table = new CmdbTable(stack, 'Cmdb');
    const fn = new HandlerFunction(stack, 'Fn', {
      handler: 'approval-page',
      description: 'an environment too large',
      environment: { TABLE_NAME: table.table.tableName, PRODUCT: 'acme', APPROVAL_SIGNING_KEY_SECRET: 'acme/key' },
      settings: { config: configOf(1) },
    });
    fn.addEnvironment('EXTRA', 'x'.repeat(700));

    // Act, Assess: 700 bytes of literal plus the table name counted as 256 bytes, and the rest
    expect(() => app.synth()).toThrow(/the approval-page function's environment may take 1\d{3} bytes \(a value resolved at deploy time counted as 256\), over the 1024 allowed/);
  });

  it('counts a reference to a REST API as its id (32 bytes), any other reference as 256: an environment that fits only so passes synth', () => {
    // Prepare: the same function in two stacks, one with a REST API's id in its environment and one with
    // a table's name, filled with literal bytes up to exactly 1 KB when the id counts 32.
    const withReference = (reference: 'api' | 'table', fill: number) => {
      const app = constructTestApp();
      const stack = new Stack(app, 'Test');
      const table = new CmdbTable(stack, 'Cmdb');
      const api = new CfnRestApi(stack, 'Api', { name: 'acme' });
      const fn = new HandlerFunction(stack, 'Fn', {
        handler: 'approval-page',
        description: 'an environment of exactly 1 KB',
        environment: { TABLE_NAME: 't', PRODUCT: 'acme', APPROVAL_SIGNING_KEY_SECRET: 'acme/key' },
        settings: { config: configOf(1) },
      });
      fn.addEnvironment('REFERENCE', reference === 'api' ? api.ref : table.table.tableName);
      if (fill > 0) fn.addEnvironment('FILL', 'x'.repeat(fill));
      return { app, bytes: environmentBytes(fn.environmentVariables(), { [stack.resolve(api.logicalId) as string]: 'AWS::ApiGateway::RestApi' }) };
    };
    const fill = MAX_ENVIRONMENT_BYTES - withReference('api', 0).bytes - 'FILL'.length;

    // Act
    const api = withReference('api', fill);
    const table = withReference('table', fill);

    // Assess
    expect(api.bytes).toBe(MAX_ENVIRONMENT_BYTES);
    expect(() => api.app.synth()).not.toThrow();
    expect(() => table.app.synth()).toThrow(`the approval-page function's environment may take ${MAX_ENVIRONMENT_BYTES - 32 + 256} bytes`);
  });

  it('fails synth when a variable its handler reads is missing', () => {
    const app = constructTestApp();
    const stack = new Stack(app, 'Test');
    new HandlerFunction(stack, 'Fn', { handler: 'approval-request', description: 'no link base URL', environment: { TABLE_NAME: 't', PRODUCT: 'acme' }, settings: { config: configOf(1) } });

    expect(() => app.synth()).toThrow("the approval-request function's environment lacks APPROVAL_BASE_URL, APPROVAL_SIGNING_KEY_SECRET");
  });

  it('refuses settings known only at deploy time', () => {
    const app = constructTestApp();
    const stack = new Stack(app, 'Test');
    const table = new CmdbTable(stack, 'Cmdb');

    expect(
      () =>
        new HandlerFunction(stack, 'Fn', {
          handler: 'webhook',
          description: 'a token in the settings',
          environment: {},
          settings: { config: configOf(1), webhookSecrets: { 'customer-payments-service-01': table.table.tableName } },
        }),
    ).toThrow("the webhook function's settings hold a value known only at deploy time");
  });

  it('bundles the settings next to the code', () => {
    // Prepare
    // Bundled, unlike constructTestApp's.
    const app = new App(testAppProps(CDK_JSON_CONTEXT));
    const stack = new Stack(app, 'Test');
    const config = configOf(2);
    new HandlerFunction(stack, 'Fn', { handler: 'approval-page', description: 'bundled', environment: { TABLE_NAME: 't', PRODUCT: 'acme', APPROVAL_SIGNING_KEY_SECRET: 'k' }, settings: { config } });

    // Act
    const assembly = app.synth();

    // Assess
    const [fn] = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'));
    const asset = join(assembly.directory, `asset.${String(fn?.Properties.Code.S3Key).replace(/\.zip$/, '')}`);
    expect(JSON.parse(readFileSync(join(asset, SETTINGS_FILE), 'utf8'))).toEqual({ config });
    expect(readFileSync(join(asset, 'index.js'), 'utf8')).not.toContain('customer-payments-service-02');
  });
});

describe('HandlerFunction: what each bundle holds', () => {
  /** The handler bundled with esbuild as HandlerFunction bundles it, and what went into it. */
  async function bundle(handler: HandlerName) {
    const result = await build({
      entryPoints: [handlerEntry(handler)],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: HANDLER_BUNDLING.target,
      minify: HANDLER_BUNDLING.minify,
      external: [...HANDLER_BUNDLING.externalModules],
      metafile: true,
      write: false,
      outfile: 'index.js',
      logLevel: 'silent',
    });
    const [output] = Object.values(result.metafile.outputs);
    return {
      files: Object.entries(output!.inputs).filter(([, input]) => input.bytesInOutput > 0).map(([file]) => file),
      external: new Set(output!.imports.filter((imported) => imported.external && imported.path.startsWith('@aws-sdk/')).map((imported) => imported.path)),
    };
  }

  it.each([
    ['webhook', ['@aws-sdk/client-dynamodb', '@aws-sdk/client-secrets-manager', '@aws-sdk/client-sfn', '@aws-sdk/lib-dynamodb']],
    ['reconcile', ['@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb']],
    ['operator-api', ['@aws-sdk/client-dynamodb', '@aws-sdk/client-sfn', '@aws-sdk/lib-dynamodb']],
    ['approval-request', ['@aws-sdk/client-dynamodb', '@aws-sdk/client-scheduler', '@aws-sdk/client-secrets-manager', '@aws-sdk/client-sesv2', '@aws-sdk/client-sfn', '@aws-sdk/client-sns', '@aws-sdk/lib-dynamodb']],
    ['approval-page', ['@aws-sdk/client-dynamodb', '@aws-sdk/client-secrets-manager', '@aws-sdk/client-sfn', '@aws-sdk/lib-dynamodb']],
    ['continuous-step', ['@aws-sdk/client-dynamodb', '@aws-sdk/client-secrets-manager', '@aws-sdk/lib-dynamodb']],
    ['promotion-step', ['@aws-sdk/client-dynamodb', '@aws-sdk/client-secrets-manager', '@aws-sdk/lib-dynamodb']],
    ['console', ['@aws-sdk/client-dynamodb', '@aws-sdk/client-sfn', '@aws-sdk/lib-dynamodb']],
  ] as const)('requires for %s only the SDK clients it uses, and validates with zod/mini', async (handler, clients) => {
    // Act
    const { external, files } = await bundle(handler);

    // Assess
    expect([...external].sort()).toEqual(clients);
    expect(external.has('@aws-sdk/client-codebuild')).toBe(false);
    expect(files.filter((file) => file.includes('zod/v4/classic/'))).toEqual([]);
  });

  it('leaves zod\'s locales but English out of the webhook bundle, and ships no source map', async () => {
    // Act
    const { files } = await bundle('webhook');

    // Assess
    expect(files.filter((file) => /zod\/v4\/locales\//.test(file)).map((file) => file.replace(/.*\//, ''))).toEqual(['en.js']);
    expect(HANDLER_BUNDLING.sourceMap).toBe(false);
  });
});
