import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { JavaMissingError, startDynamoDbLocal, type RunningDynamoDbLocal } from '../adapters/local/dynamodb/dynamodb-local';
import { ConfigError, loadConfig } from '../core/config-file';
import { webhookSecretName } from '../core/webhook-intake';
import { approvalPageHandler } from '../lambdas/approval-page';
import { releaseApiHandler } from '../lambdas/release-api';
import { webhookHandler } from '../lambdas/webhook';
import { ConsoleReporter } from './console-reporter';
import { createLocalHttpServer, type LocalRoute } from './http-server';
import { LocalWiring } from './local-wiring';
import { prepareRepositories } from './local-repositories';
import { recoverAfterRestart } from './recover';
import { RELEASE_API_ROUTES } from '../core/release-api-routes';

export interface LocalOptions {
  readonly port: number;
  readonly data: string;
  readonly config: string;
}

/**
 * `cot local` / `npm start`: the whole product on this machine. DynamoDB Local keeps the CMDB in
 * `<data>/dynamodb`; the routes of the HTTP API are served on 127.0.0.1 through the Lambda handlers; the
 * state machines of the synthesized stack run locally; builds run the repositories' buildspecs; email goes
 * to `<data>/outbox`. Resolves with the exit code when stopped (Ctrl-C).
 */
export async function runLocal(options: LocalOptions, write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): Promise<number> {
  const reporter = new ConsoleReporter(write);
  const dataDir = resolve(options.data);
  let config;
  try {
    config = loadConfig(options.config);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
  mkdirSync(dataDir, { recursive: true });

  let dynamo: RunningDynamoDbLocal;
  try {
    reporter.info('starting DynamoDB Local (the CMDB)...');
    dynamo = await startDynamoDbLocal({ dbPath: join(dataDir, 'dynamodb') });
  } catch (error) {
    if (error instanceof JavaMissingError) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }

  let port = options.port;
  const baseUrl = () => `http://127.0.0.1:${port}`;
  const wiring = await LocalWiring.create({
    config,
    dataDir,
    dynamoEndpoint: dynamo.endpoint,
    onWorkflowEvent: (workflow, event) => reporter.workflowEvent(workflow, event),
    onNotification: (notification) => reporter.notification(notification),
    approvalEmail: { baseUrl, onLinkSent: (sent) => reporter.linkSent(sent) },
  });
  const webhook = webhookHandler(wiring.handlers.webhook());
  const approvalPage = approvalPageHandler(wiring.handlers.approvalPage());
  const api = releaseApiHandler(wiring.handlers.releaseApi());

  let ready = false;
  const routes: LocalRoute[] = [
    {
      method: 'GET',
      resource: '/health',
      handler: async () => ({ statusCode: ready ? 200 : 503, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: ready ? 'ok' : 'starting' }) }),
    },
    { method: 'POST', resource: '/webhooks/{provider}', handler: webhook },
    { method: 'GET', resource: '/approvals/{id}', handler: approvalPage },
    { method: 'HEAD', resource: '/approvals/{id}', handler: approvalPage },
    { method: 'POST', resource: '/approvals/{id}', handler: approvalPage },
    ...RELEASE_API_ROUTES.map((route) => ({ method: route.method, resource: route.resource, handler: api })),
  ];
  const server = createLocalHttpServer({ routes, onError: (error) => reporter.info(`a request failed: ${error instanceof Error ? error.message : String(error)}`) });
  try {
    port = await server.listen(options.port);
  } catch (error) {
    await dynamo.stop();
    process.stderr.write(`cannot listen on 127.0.0.1:${options.port}: ${error instanceof Error ? error.message : String(error)} (try --port)\n`);
    return 1;
  }

  // The post-commit hooks sign with the webhook secret: make sure it exists before the first commit.
  if (config.repositories[0]) await wiring.secrets.get(webhookSecretName(config.product, config.repositories[0].name));
  const repos = prepareRepositories({ config, configFile: options.config, dataDir, port });
  const recovered = await recoverAfterRestart(wiring, (line) => reporter.info(line));
  ready = true;

  write('');
  write(`codeontap-release local mode: ${baseUrl()}   (data in ${dataDir}, Ctrl-C to stop)`);
  for (const dir of repos) write(`  commit in ${dir} and watch it travel: the post-commit hook posts the push webhook`);
  write(`  cot status · cot release <repo> <env> <sha> --wait · cot rollback <repo> <env>   (npm run cot -- --help)`);
  if (recovered > 0) write(`  resumed ${recovered} wait${recovered === 1 ? '' : 's'} for approval from before the restart`);
  write('');

  return new Promise<number>((resolveExit) => {
    let stopping = false;
    const stop = async () => {
      if (stopping) return;
      stopping = true;
      reporter.info('stopping...');
      // Requests under way are answered first (they need the CMDB), then the runs stop; runs waiting
      // for a person are resumed at their gate on the next start (see recover.ts).
      await server.close().catch(() => undefined);
      for (const workflow of ['continuous', 'promotion'] as const) for (const execution of wiring.workflows.executions(workflow)) if (execution.status === 'RUNNING') execution.abort();
      await dynamo.stop();
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      reporter.info('stopped');
      resolveExit(0);
      // Aborted runs may leave the interpreter's timers behind; they must not keep the process alive.
      setTimeout(() => process.exit(0), 1000).unref();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
