import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ReleaseConfig } from '../../core/config';
import { CONSOLE_API_ROUTES, CONSOLE_PAGE_ROUTES } from '../../core/console-routes';
import { CmdbTable } from '../../lib/cmdb-table';
import { ReleaseConsole } from '../../lib/console';
import { HttpApi } from '../../lib/http-api';
import { CDK_JSON_CONTEXT, testAppProps } from '../support/cdk-app';

const config = ReleaseConfig.parse({
  product: 'acme',
  repositories: [{ name: 'sample-service', provider: 'github', url: 'https://github.com/acme/sample-service' }],
  environments: [
    { name: 'integration', mode: 'continuous', branch: 'main' },
    { name: 'preproduction', mode: 'approval', approvers: ['qa@example.com'] },
    { name: 'production', mode: 'approval', approvers: ['rm@example.com'] },
  ],
  notifications: { from: 'releases@example.com' },
});

function synth(options: { bundle?: boolean; requireMfa?: boolean } = {}) {
  // As test/support/cdk-app.ts makes Apps (the shipped stack, console included, is validated), with the
  // bundles when asked.
  const app = new App(testAppProps({ ...CDK_JSON_CONTEXT, ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }) }));
  const { outdir } = app;
  const stack = new Stack(app, 'Test');
  const table = new CmdbTable(stack, 'Cmdb');
  const promotion = new sfn.StateMachine(stack, 'Promotion', { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Nothing')) });
  // The dummy machine is not under test: its own findings are not ours to judge.
  Validations.of(promotion).acknowledge({ id: 'AwsSolutions-SF1', reason: 'test double' }, { id: 'AwsSolutions-SF2', reason: 'test double' });
  const api = new HttpApi(stack, 'Api');
  const console = new ReleaseConsole(stack, 'Console', { api, config, table, promotion, ...(options.requireMfa ? { requireMfa: true } : {}) });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  // Throws with cdk-nag's report when any finding is left unacknowledged.
  return { template: Template.fromStack(stack), console, stack, outdir };
}

describe('ReleaseConsole', () => {
  const { template } = synth();
  const refOf = (type: string) => ({ Ref: Object.keys(template.findResources(type))[0] ?? '' });

  it('makes a user pool nobody signs up to, with a strong password policy, optional TOTP, kept on deletion', () => {
    template.resourceCountIs('AWS::Cognito::UserPool', 1);
    template.hasResource('AWS::Cognito::UserPool', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
        MfaConfiguration: 'OPTIONAL',
        EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
        DeletionProtection: 'ACTIVE',
        Policies: { PasswordPolicy: Match.objectLike({ MinimumLength: 12, RequireSymbols: true }) },
      }),
    });
  });

  it('requires MFA when asked, with no acknowledgement of COG2 then', () => {
    const strict = synth({ requireMfa: true }).template;
    strict.hasResourceProperties('AWS::Cognito::UserPool', { MfaConfiguration: 'ON' });
  });

  it('has a public app client for the hosted UI: code flow, no secret, called back at the console URL', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: Match.arrayWith(['openid', 'email']),
      SupportedIdentityProviders: ['COGNITO'],
      CallbackURLs: [{ 'Fn::Join': ['', Match.arrayWith(['https://', refOf('AWS::ApiGateway::RestApi'), '/prod/console'])] }],
    });
    template.resourceCountIs('AWS::Cognito::UserPoolDomain', 1);
  });

  it('lets nobody sign in around the hosted UI or switch to an unverified email', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', { ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'], WriteAttributes: [] });
    template.hasResourceProperties('AWS::Cognito::UserPool', { UserAttributeUpdateSettings: { AttributesRequireVerificationBeforeUpdate: ['email'] } });
  });

  it('makes the groups viewers, release-managers and approvers-<env> for each approval environment', () => {
    const names = Object.values(template.findResources('AWS::Cognito::UserPoolGroup')).map((group) => (group as { Properties: { GroupName: string } }).Properties.GroupName);
    expect(names.sort()).toEqual(['approvers-preproduction', 'approvers-production', 'release-managers', 'viewers']);
  });

  it('guards every console API route with a Cognito authoriser of the pool, and leaves only the page and its assets public', () => {
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', { Type: 'COGNITO_USER_POOLS', IdentitySource: 'method.request.header.Authorization', ProviderARNs: [{ 'Fn::GetAtt': [refOf('AWS::Cognito::UserPool').Ref, 'Arn'] }] });
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method')) as Array<{ Properties: { AuthorizationType: string; HttpMethod: string } }>;
    expect(methods.filter((method) => method.Properties.AuthorizationType === 'COGNITO_USER_POOLS')).toHaveLength(CONSOLE_API_ROUTES.length);
    expect(methods.filter((method) => method.Properties.AuthorizationType === 'NONE')).toHaveLength(CONSOLE_PAGE_ROUTES.length);
  });

  it('gives the page function the app client and the hosted UI address, and the API function the pool', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ USER_POOL_CLIENT_ID: refOf('AWS::Cognito::UserPoolClient'), USER_POOL_DOMAIN_URL: Match.anyValue() }) },
      Tags: Match.arrayWith([{ Key: 'cot:handler', Value: 'console-page' }]),
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ USER_POOL_ID: refOf('AWS::Cognito::UserPool'), TABLE_NAME: Match.anyValue() }) },
      Tags: Match.arrayWith([{ Key: 'cot:handler', Value: 'console' }]),
    });
  });

  it('bundles the page assets into the function at synth', () => {
    const { outdir } = synth({ bundle: true });
    const staged = join(outdir, 'console-assets');
    expect(readFileSync(join(staged, 'console.js'), 'utf8')).toContain('/console/api/');
    expect(existsSync(join(staged, 'console.css'))).toBe(true);
    const assetDirs = readFileSync(join(outdir, 'Test.assets.json'), 'utf8');
    const bundled = Object.values((JSON.parse(assetDirs) as { files: Record<string, { source: { path: string } }> }).files)
      .map((file) => join(outdir, file.source.path, 'console-assets', 'console.js'))
      .filter((path) => existsSync(path));
    expect(bundled).toHaveLength(1);
  }, 120_000);
});
