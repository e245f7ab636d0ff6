#!/usr/bin/env -S node --import tsx
import { App, Validations } from 'aws-cdk-lib';
import { ConfigError, DEFAULT_CONFIG_FILE, loadConfig } from '../core/config-file';

const app = new App();
const file = (app.node.tryGetContext('config') as string | undefined) ?? process.env.COT_CONFIG ?? DEFAULT_CONFIG_FILE;

try {
  const config = loadConfig(file, { forAws: true });
  const stackName = (app.node.tryGetContext('stackName') as string | undefined) ?? `${config.product}-release`;
  // `-c apiGatewayLogsRole=true` arrives as a string; cdk.json may hold a boolean.
  const apiGatewayLogsRole = String(app.node.tryGetContext('apiGatewayLogsRole') ?? false) === 'true';
  // The stack's constructs and cdk-nag load only for a valid config (most of a start's time): a broken
  // config is reported in about a second.
  const [{ ReleaseStack }, { AwsSolutionsChecks }] = await Promise.all([import('../lib/release-stack'), import('cdk-nag')]);
  new ReleaseStack(app, stackName, {
    config,
    apiGatewayLogsRole,
    description: `codeontap-release for ${config.product}: continuous deployment, approved promotion, rollback`,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  // A config problem is the user's to fix: say what and where, without a stack trace.
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
