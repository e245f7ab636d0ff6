import { Logger } from '@aws-lambda-powertools/logger';
import { CreateTableCommand, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { cmdbCreateTableInput } from '../adapters/aws/cmdb-table-input';
import { keys } from '../adapters/aws/cmdb-keys';
import { CMDB_SCHEMA } from '../adapters/aws/cmdb-schema';
import { commitStatusHosts } from '../adapters/aws/commit-status-hosts';
import { dynamoCmdbStores } from '../adapters/aws/dynamo-cmdb-stores';
import { ThreadedBuildspecRunner } from '../adapters/local/buildspec';
import { FileSecretStore } from '../adapters/local/file-secret-store';
import { LocalCodeBuild, localProjectNames } from '../adapters/local/local-codebuild';
import { LocalReminderTimers } from '../adapters/local/local-reminders';
import { LocalWorkflows, type LocalWorkflowsOptions } from '../adapters/local/local-workflows';
import { OutboxMailer } from '../adapters/local/outbox-mailer';
import { outboxNotifications } from '../adapters/local/outbox-notifications';
import type { CfnTemplate } from '../adapters/local/workflow';
import { approvalSigningKeyName, type SentLink } from '../core/approval-notifier';
import type { Approvals } from '../core/approvals';
import type { CmdbStores } from '../core/cmdb-stores';
import { Reconciler } from '../core/reconcile';
import type { ReleaseConfig } from '../core/config';
import { systemClock, type Clock, type Mailer, type SecretStore, type WorkflowEngine } from '../core/ports';
import { webhookSecretName } from '../core/webhook-intake';
import { approvalRequestHandler } from '../lambdas/approval-request';
import { buildTargets } from '../lambdas/build-targets';
import { composeRelease, type Platform, type ReleaseComposition } from '../lambdas/compose';
import { continuousStepHandler } from '../lambdas/continuous-step';
import { promotionStepHandler } from '../lambdas/promotion-step';
import type { ForegroundRequests } from './foreground-requests';

export const LOCAL_TABLE_NAME = 'cot-cmdb';
/** How many CMDB requests the runs of local mode have in flight at most (`LocalWiring.create`). */
const RUN_REQUEST_SLOTS = 2;
/** Local mode's stand-in for the artifact bucket's name; artifacts live in `<data>/artifacts`. */
const LOCAL_BUCKET = 'local-artifacts';

export interface Notification {
  readonly subject?: string;
  readonly message: string;
}

/**
 * Lets a test watch what local mode's handlers send (the permission proof, test/support/iam-recorder.ts).
 * Each part is optional; without an observer local mode runs as it always does.
 */
export interface LocalObserver {
  /** Each SDK client local mode makes (the CMDB's DynamoDB client), before its first use. */
  readonly client?: (client: DynamoDBClient) => void;
  /** Each handler local mode runs itself (the step Lambdas and the reconciler), by its `cot:handler` name. */
  readonly handler?: <E, R>(name: string, run: (event: E) => Promise<R>) => (event: E) => Promise<R>;
  /** The local stand-ins for AWS services, as the handlers are given them. */
  readonly workflows?: (engine: WorkflowEngine) => WorkflowEngine;
  readonly secrets?: (store: SecretStore) => SecretStore;
  readonly mailer?: (mailer: Mailer) => Mailer;
  /** The approval notices' way to the notification topic (SNS on AWS). */
  readonly announce?: (announce: (notification: Notification) => Promise<void>) => (notification: Notification) => Promise<void>;
  /** Each service call of a state machine's Task (`LocalWorkflowsOptions.onTask`). */
  readonly task?: LocalWorkflowsOptions['onTask'];
}

export interface LocalWiringOptions {
  readonly config: ReleaseConfig;
  /** The data folder (`.cot`): repos, artifacts, logs, environments, outbox. */
  readonly dataDir: string;
  /** A running DynamoDB Local. */
  readonly dynamoEndpoint: string;
  /** @default 'cot-cmdb' */
  readonly tableName?: string;
  /**
   * The synthesized stack whose state machines run here, when the caller has made it already (local mode
   * synthesizes while DynamoDB Local starts).
   * @default synthesizeReleaseTemplate(config)
   */
  readonly template?: CfnTemplate;
  readonly clock?: Clock;
  readonly onWorkflowEvent?: LocalWorkflowsOptions['onEvent'];
  readonly onBuildOutput?: (project: string, line: string) => void;
  readonly onNotification?: (notification: Notification) => void;
  /** A notification could not be put in the outbox: told here, never thrown. */
  readonly onNotificationError?: (error: unknown) => void;
  /** A reminder could not be sent (docs/operations.md#reminders): told here, never thrown. */
  readonly onReminderError?: (approvalId: string, error: unknown) => void;
  /** Closing what an ended run left open failed (the CMDB went away): told here, never thrown. */
  readonly onReconcileError?: (error: unknown) => void;
  readonly retryIntervalOverrides?: LocalWorkflowsOptions['retryIntervalOverrides'];
  /**
   * Tells approvers: one `.eml` file each in `<data>/outbox`, linking to `baseUrl` (a function: the port
   * may be known only once the server listens).
   * @default nobody is told
   */
  readonly approvalEmail?: { readonly baseUrl: () => string; readonly onLinkSent?: (sent: SentLink) => void };
  /**
   * The console's URL (`http://127.0.0.1:<port>/`), where commit statuses link (a function: the port may
   * be known only once the server listens). @default no link
   */
  readonly consoleUrl?: () => string;
  /**
   * What the handlers log through (on AWS, Powertools' Logger writing to CloudWatch Logs): a failed commit
   * status or reminder is a warning there, and the run goes on.
   * @default a Logger that prints errors only (local mode shows runs in its own console)
   */
  readonly logger?: Logger;
  /** @default nothing watches */
  readonly observe?: LocalObserver;
  /**
   * How many CMDB requests what the state machines run may have in flight at once; the requests people
   * wait for are never limited. @default 2
   */
  readonly runRequestSlots?: number;
  /**
   * The requests people wait for that local mode's HTTP server is answering: each Lambda step of a run,
   * and each of the runs' CMDB requests in its slot, first waits until none is (`ForegroundRequests.idle`,
   * bounded per busy spell).
   * @default the runs never wait for them
   */
  readonly foreground?: Pick<ForegroundRequests, 'idle'>;
}

/**
 * The product wired for one machine: the CMDB in DynamoDB Local (the table the stack defines), the
 * state machines of the synthesized stack run by the local interpreter, the Lambda handlers in process,
 * CodeBuild as the buildspec runner. The use cases are composed as on AWS (`composeRelease`). Local mode
 * serves them over HTTP; tests drive them directly.
 */
export class LocalWiring {
  /** The CMDB as the requests people wait for reach it (webhooks, the API, the console, approval pages). */
  readonly stores: CmdbStores;
  /** The CMDB as what the state machines run reaches it: at most `runRequestSlots` requests in flight. */
  readonly runStores: CmdbStores;
  readonly workflows: LocalWorkflows;
  readonly codebuild: LocalCodeBuild;
  /** Runs the buildspecs on a thread of its own; local mode stops it (`close()`) when it stops. */
  readonly buildRunner: ThreadedBuildspecRunner;
  /** Webhook secrets from `COT_WEBHOOK_SECRET` or `<data>/webhook-secret`, the link key from `<data>/approval-signing-key`. */
  readonly secrets: FileSecretStore;
  /** What each handler is given, as `awsDependencies()` gives it on AWS. */
  readonly handlers: ReleaseComposition;
  readonly approvals: Approvals;
  readonly notifications: Notification[] = [];
  /** Notices being written to the outbox now (the state machines' own are not awaited by anyone). */
  private readonly writing = new Set<Promise<void>>();
  /** The approvals' reminder timers (docs/operations.md#reminders). */
  readonly reminderTimers: LocalReminderTimers;

  private constructor(
    readonly options: LocalWiringOptions & { readonly template: CfnTemplate },
    readonly documentClient: DynamoDBDocumentClient,
    runClient: DynamoDBDocumentClient,
  ) {
    const { config, dataDir } = options;
    this.stores = dynamoCmdbStores(documentClient, options.tableName ?? LOCAL_TABLE_NAME, config.product);
    this.runStores = dynamoCmdbStores(runClient, options.tableName ?? LOCAL_TABLE_NAME, config.product);
    const runStores = this.runStores;
    this.buildRunner = new ThreadedBuildspecRunner({ workRoot: join(dataDir, 'work') });
    this.codebuild = new LocalCodeBuild({
      dataDir,
      // On a thread of its own: a build's process starts and folder copies never hold up the HTTP server.
      runner: this.buildRunner,
      repositories: config.repositories,
      repositoryDir: (name) => this.repositoryDir(name),
      ...(options.onBuildOutput ? { onOutput: options.onBuildOutput } : {}),
    });
    this.secrets = new FileSecretStore({
      dataDir,
      sources: {
        ...Object.fromEntries(config.repositories.map((repository) => [webhookSecretName(config.product, repository.name), { envVar: 'COT_WEBHOOK_SECRET', file: 'webhook-secret' }])),
        [approvalSigningKeyName(config.product)]: { file: 'approval-signing-key' },
      },
    });
    const { approvalEmail, consoleUrl } = options;
    // The notification topic's stand-in: each notice is kept, told to the console, and put in the outbox.
    const toOutbox = outboxNotifications(new OutboxMailer({ dir: join(dataDir, 'outbox') }), config.notifications.from);
    const publish = (notification: Notification): Promise<void> => {
      this.notifications.push(notification);
      options.onNotification?.(notification);
      const written = toOutbox(notification)
        .catch((error: unknown) => options.onNotificationError?.(error))
        .finally(() => this.writing.delete(written));
      this.writing.add(written);
      return written;
    };
    const targets = buildTargets(Object.fromEntries(config.repositories.map((repository) => [repository.name, localProjectNames(repository.name)])), LOCAL_BUCKET);
    const logger = options.logger ?? new Logger({ serviceName: 'codeontap-release', logLevel: 'ERROR' });
    const observe = options.observe ?? {};
    const watched = <P>(port: P, watch: ((port: P) => P) | undefined): P => (watch ? watch(port) : port);
    const asHandler = <E, R>(name: string, run: (event: E) => Promise<R>) => (observe.handler ? observe.handler(name, run) : run);
    // A Lambda step of a run starts once the requests people wait for are answered (the webhook that
    // started the run too).
    const asStep = <E, R>(name: string, run: (event: E) => Promise<R>) => {
      const handler = asHandler(name, run);
      const foreground = options.foreground;
      if (!foreground) return handler;
      return async (event: E): Promise<R> => {
        await foreground.idle();
        return handler(event);
      };
    };
    this.reminderTimers = new LocalReminderTimers((approvalId) => this.handlers.approvalReminders().reminders.remind(approvalId), options.clock ?? systemClock, options.onReminderError);
    const platform = (stores: CmdbStores): Platform => ({
      config: () => config,
      stores: () => stores,
      // One engine runs both state machines and holds the task tokens.
      workflows: () => watched<WorkflowEngine>(this.workflows, observe.workflows),
      buildTargets: () => targets,
      secrets: () => watched<SecretStore>(this.secrets, observe.secrets),
      ...(approvalEmail ? { approvalEmail: () => ({ ...approvalEmail, mailer: watched<Mailer>(new OutboxMailer({ dir: join(dataDir, 'outbox') }), observe.mailer) }) } : {}),
      reminderScheduler: () => this.reminderTimers,
      announce: () => watched(publish, observe.announce),
      // The git hosts' own APIs, as on AWS (`apiUrl` in the config points a test at a loopback host).
      commitStatusHosts: () => commitStatusHosts(),
      ...(consoleUrl ? { releaseLinks: () => ({ console: consoleUrl() }) } : {}),
      logger: () => logger,
      clock: options.clock ?? systemClock,
    });
    this.handlers = composeRelease(platform(this.stores));
    // What the state machines run reads and writes the CMDB through the run client (see `create`).
    const runHandlers = composeRelease(platform(runStores));
    const reconciler = new Reconciler({ releases: runStores.releases, leases: runStores.leases, approvals: runStores.approvals, promotions: runStores.promotions, clock: options.clock ?? systemClock });
    this.workflows = new LocalWorkflows({
      template: options.template,
      lambdas: {
        'continuous-step': asStep('continuous-step', continuousStepHandler(runHandlers.continuous())),
        'promotion-step': asStep('promotion-step', promotionStepHandler(runHandlers.promotion())),
        // Looked up per event: `this.approvals` answers through the engine made here, so it comes after it.
        'approval-request': asStep('approval-request', (event: unknown) => approvalRequestHandler({ approvals: this.approvals })(event)),
      },
      codebuild: this.codebuild,
      notify: (notification) => void publish(notification),
      ...(options.onWorkflowEvent ? { onEvent: options.onWorkflowEvent } : {}),
      // As the EventBridge rule does on AWS: a run that failed or timed out outside its own Catch leaves
      // nothing open. Runs aborted because local mode stops are resumed or failed at the next start.
      onExecutionEnd: (_workflow, execution, result) => {
        if (result.status !== 'FAILED' && result.status !== 'TIMED_OUT') return;
        const ended = { name: execution.name, startDate: execution.startDate.toISOString(), input: execution.input, status: result.status, cause: result.cause };
        void asHandler('reconcile', (event: typeof ended) => reconciler.executionEnded(event))(ended).catch((error: unknown) => options.onReconcileError?.(error));
      },
      ...(options.retryIntervalOverrides ? { retryIntervalOverrides: options.retryIntervalOverrides } : {}),
      ...(observe.task ? { onTask: observe.task } : {}),
    });
    this.approvals = runHandlers.approvalRequests().approvals;
  }

  /**
   * Wires everything and makes sure the CMDB table exists (a restart keeps it). Two DynamoDB clients: one
   * for the requests people wait for (webhooks, the API, the console, approval pages), and one for what
   * the state machines run, with at most `runRequestSlots` requests in flight. DynamoDB Local writes one
   * item at a time; without the limit, a burst of runs queues a webhook's one write behind hundreds of
   * theirs. Given `foreground`, a run's request also waits in its slot while a request people wait for is
   * being answered (docs/architecture.md#local-mode).
   */
  static async create(options: LocalWiringOptions): Promise<LocalWiring> {
    const client = (): DynamoDBClient =>
      new DynamoDBClient({
        endpoint: options.dynamoEndpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      });
    const requests = client();
    const runs = client();
    const slot = pLimit(options.runRequestSlots ?? RUN_REQUEST_SLOTS);
    const foreground = options.foreground;
    // After the retry middleware: each attempt takes a slot of its own, and no retry's pause holds one. In
    // its slot, an attempt lets the requests people wait for go first.
    runs.middlewareStack.add(
      (next) => (args) =>
        slot(async () => {
          await foreground?.idle();
          return next(args);
        }),
      { step: 'finalizeRequest', priority: 'low', name: 'runRequestSlots' },
    );
    try {
      options.observe?.client?.(requests);
      options.observe?.client?.(runs);
      await requests.send(new CreateTableCommand(cmdbCreateTableInput(options.tableName ?? LOCAL_TABLE_NAME)));
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
    }
    const documents = (dynamo: DynamoDBClient) => DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } });
    // Imported only when no template is given: a start whose template is cached never loads the CDK.
    const template = options.template ?? (await import('../adapters/local/release-template')).synthesizeReleaseTemplate(options.config);
    return new LocalWiring({ ...options, template }, documents(requests), documents(runs));
  }

  /**
   * Writes and removes two items of its own through the client webhooks use, in transactions as a push's
   * answer does: the SDK and DynamoDB Local load and warm their code for those on first use (about 100 ms
   * on 2 cores), and local mode pays that at start rather than on the first push it answers
   * (docs/architecture.md#start-up). Its items' keys are used by nothing else.
   */
  async warmUp(): Promise<void> {
    const TableName = this.options.tableName ?? LOCAL_TABLE_NAME;
    const { partitionKey } = CMDB_SCHEMA;
    const key = keys.localWarmUp;
    await this.documentClient.send(
      new TransactWriteCommand({
        TransactItems: [
          // Conditions that hold for the items a start cut off between the two transactions left behind, too.
          { Put: { TableName, Item: { ...key('PUT'), at: new Date().toISOString() }, ConditionExpression: `attribute_not_exists(${partitionKey}) OR attribute_exists(#at)`, ExpressionAttributeNames: { '#at': 'at' } } },
          {
            Update: {
              TableName,
              Key: key('UPDATE'),
              UpdateExpression: 'SET #at = if_not_exists(#at, :at), #seen = :at ADD #count :one',
              ConditionExpression: `attribute_not_exists(${partitionKey}) OR attribute_exists(#at)`,
              ExpressionAttributeNames: { '#at': 'at', '#seen': 'seen', '#count': 'count' },
              ExpressionAttributeValues: { ':at': new Date().toISOString(), ':one': 1 },
            },
          },
        ],
      }),
    );
    await this.documentClient.send(new TransactWriteCommand({ TransactItems: [{ Delete: { TableName, Key: key('PUT') } }, { Delete: { TableName, Key: key('UPDATE') } }] }));
  }

  /** Resolves once the notices being written to the outbox now are written (or failed). */
  async noticesWritten(): Promise<void> {
    await Promise.allSettled([...this.writing]);
  }

  /** The git repository local mode builds a configured repository from. */
  repositoryDir(repository: string): string {
    return join(this.options.dataDir, 'repos', repository);
  }
}
