import { mkdirSync } from 'node:fs';
import type { ReleaseConfig } from '../core/config';
import { join, resolve } from 'node:path';
import { freePort, startDynamoDbLocal } from '../adapters/local/dynamodb/dynamodb-local';
import { cachedReleaseTemplate, TEMPLATE_CACHE_FILE } from '../adapters/local/release-template-cache';
import { renderDefinition } from '../adapters/local/workflow/render-definition';
import { knownVerdicts, rememberVerdicts, validateAside } from '../adapters/local/workflow/validate-definition';
import { ConfigError, loadConfig } from '../core/config-file';
import { ConsoleReporter } from './console-reporter';
import { DataFolderBusyError, lockDataFolder, type DataLock } from './data-lock';
import { ForegroundRequests } from './foreground-requests';
import type { LocalRoute } from './http-server';
import { WORKFLOW_TAG } from '../lib/template-names';

// Only what a start needs before DynamoDB Local is spawned is imported above; the rest (the handlers, the
// wiring, the stack's modules) is imported in serveLocal while Java boots (docs/architecture.md#start-up).

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
    config = loadConfig(options.config, { localPaths: true });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
  mkdirSync(dataDir, { recursive: true });
  let lock: DataLock;
  try {
    lock = lockDataFolder(dataDir);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return error instanceof DataFolderBusyError ? 2 : 1;
  }

  // Whatever fails from here on is said in one line, and what was started is stopped: no Java left behind.
  const started: Array<() => Promise<void> | void> = [() => lock.release()];
  const stopStarted = async () => {
    for (const stop of started.splice(0).reverse()) await Promise.resolve(stop()).catch(() => undefined);
  };
  try {
    return await serveLocal({ options, config, dataDir, lock, started, stopStarted, reporter, write });
  } catch (error) {
    await stopStarted();
    process.stderr.write(`local mode could not start: ${startupReason(error)}\n`);
    return 1;
  }
}

/** One line for a start-up failure: our own errors say what to do; anything else gives its message. */
function startupReason(error: unknown): string {
  if (error instanceof Error) return error.message.split('\n').filter(Boolean).join(' ');
  return String(error);
}

interface Startup {
  readonly options: LocalOptions;
  readonly config: ReleaseConfig;
  readonly dataDir: string;
  readonly lock: DataLock;
  /** What to stop, in reverse, if start-up fails or when local mode stops. */
  readonly started: Array<() => Promise<void> | void>;
  readonly stopStarted: () => Promise<void>;
  readonly reporter: ConsoleReporter;
  readonly write: (line: string) => void;
}

const WORKFLOWS = ['continuous', 'promotion'] as const;

async function serveLocal({ options, config, dataDir, lock, started, stopStarted, reporter, write }: Startup): Promise<number> {
  reporter.info('starting DynamoDB Local (the CMDB)...');
  // Java boots in its own process (spawned before the first await, as the port is given) while this one
  // loads its modules and finds the stack's template: the longest steps of a start overlap.
  const starting = startDynamoDbLocal({ dbPath: join(dataDir, 'dynamodb'), port: await freePort() });
  // A failed start is reported where it is awaited, below; until then it must not count as unhandled.
  const stopDynamo = async () => (await starting.catch(() => undefined))?.stop();
  starting.catch(() => undefined);
  started.push(stopDynamo);
  // The template cache hashes the stack's sources before any of them is imported (see cachedReleaseTemplate).
  const cache = await cachedReleaseTemplate({
    file: join(dataDir, TEMPLATE_CACHE_FILE),
    config,
    synthesize: async (stackConfig) => (await import('../adapters/local/release-template')).synthesizeReleaseTemplate(stackConfig),
  });
  const template = cache.template;
  rememberVerdicts(cache.verdicts);
  // Definitions the cache has no verdict on (a first start, a changed stack) are validated on another
  // thread while this one imports and wires; the runners built below then find the verdicts known.
  const validated = validateAside(WORKFLOWS.map((workflow) => renderDefinition(template, { tag: { key: WORKFLOW_TAG, value: workflow } }).definition)).catch(() => undefined);
  const [{ LocalWiring }, { webhookHandler }, { approvalPageHandler }, { operatorApiHandler }, { OPERATOR_API_ROUTES }, { localConsoleRoutes }, { createLocalHttpServer }, { installPostCommitHooks, prepareRepositories }, { recoverAfterRestart }, { webhookSecretName }] =
    await Promise.all([
      import('./local-wiring'),
      import('../lambdas/webhook'),
      import('../lambdas/approval-page'),
      import('../lambdas/operator-api'),
      import('../core/operator-api-routes'),
      import('./console-routes'),
      import('./http-server'),
      import('./local-repositories'),
      import('./recover'),
      import('../core/webhook-intake'),
    ]);
  const dynamo = await starting;

  let port = options.port;
  const baseUrl = () => `http://127.0.0.1:${port}`;
  // The requests the server is answering go before the runs' next steps and CMDB requests.
  const foreground = new ForegroundRequests();
  const wiring = await LocalWiring.create({
    config,
    dataDir,
    foreground,
    dynamoEndpoint: dynamo.endpoint,
    template,
    onWorkflowEvent: (workflow, event) => reporter.workflowEvent(workflow, event),
    onNotification: (notification) => reporter.notification(notification),
    onReconcileError: (error) => reporter.info(`could not close what an ended run left open: ${error instanceof Error ? error.message : String(error)}`),
    onNotificationError: (error) => reporter.info(`could not write a notification to the outbox: ${error instanceof Error ? error.message : String(error)}`),
    onReminderError: (approvalId, error) => reporter.info(`could not remind the approvers of ${approvalId}: ${error instanceof Error ? error.message : String(error)}`),
    approvalEmail: { baseUrl, onLinkSent: (sent) => reporter.linkSent(sent) },
    consoleUrl: () => `${baseUrl()}/`,
  });
  started.push(() => wiring.buildRunner.close());
  // Both runners are built now (rendering a definition takes a while), not by the first push or release;
  // the validator's verdicts on their definitions are kept with the template for the next start.
  await validated;
  for (const workflow of WORKFLOWS) wiring.workflows.executions(workflow);
  await cache.saveVerdicts(knownVerdicts());
  const webhook = webhookHandler(wiring.handlers.webhook());
  const approvalPage = approvalPageHandler(wiring.handlers.approvalPage());
  const api = operatorApiHandler(wiring.handlers.operatorApi());

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
    ...OPERATOR_API_ROUTES.map((route) => ({ method: route.method, resource: route.resource, handler: api })),
    ...localConsoleRoutes(wiring.handlers, { dataDir }),
  ];
  const server = createLocalHttpServer({ routes, foreground, onError: (error) => reporter.info(`a request failed: ${error instanceof Error ? error.message : String(error)}`) });
  try {
    port = await server.listen(options.port);
  } catch (error) {
    throw new Error(`cannot listen on 127.0.0.1:${options.port}: ${error instanceof Error ? error.message : String(error)} (try --port)`, { cause: error });
  }
  started.push(() => server.close());
  lock.setPort(port);

  // Optional: a start whose warm-up fails answers its first push a little later, nothing more.
  const warm = wiring.warmUp().catch((error: unknown) => reporter.info(`warming up the CMDB client failed: ${error instanceof Error ? error.message : String(error)}`));
  const repos = prepareRepositories({ config, configFile: options.config, dataDir });
  await installPostCommitHooks({ config, dataDir, endpoint: baseUrl(), repositories: repos, secretFor: (name) => wiring.secrets.get(webhookSecretName(config.product, name)) });
  const recovered = await recoverAfterRestart(wiring, (line) => reporter.info(line));
  // Reminder timers died with the last run: set them again from the CMDB (a past one fires now).
  started.push(async () => {
    wiring.reminderTimers.stop();
    await wiring.reminderTimers.sent();
    await wiring.noticesWritten();
  });
  await wiring.handlers.approvalReminders().reminders.replanPending();
  await warm;
  ready = true;

  write('');
  write(`codeontap-release local mode: ${baseUrl()}   (data in ${dataDir}, Ctrl-C to stop)`);
  write(`  the release board: ${baseUrl()}/`);
  for (const { dir } of repos) write(`  commit in ${dir} and watch it travel: the post-commit hook posts the push webhook`);
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
      await stopStarted();
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
