import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dynamoCmdbStores } from '../adapters/aws/dynamo-cmdb-stores';
import type { SchedulerReminderTarget } from '../adapters/aws/scheduler-reminders';
import type { WorkflowArns } from '../adapters/aws/step-functions-engine';
import { systemClock, type Mailer, type SecretStore, type WorkflowEngine } from '../core/ports';
import type { ReminderScheduler } from '../core/approval-reminders';
import type { Notice } from '../core/notifications';
import type { CommitStatusHost } from '../core/commit-status';
import type { Provider } from '../core/config';
import { buildTargets } from './build-targets';
import { composeRelease, type ReleaseComposition } from './compose';
import {
  ENV,
  parseHandlerEnvironment,
  parseHandlerSettings,
  SETTINGS_FILE,
  type AllSettings,
  type EnvName,
  type HandlerName,
} from './handler-environment';

/**
 * A Lambda entry point whose dependencies are made on its first invocation, once per cold start (never
 * at import, so handlers stay testable). If they cannot be made (a missing environment variable: ours,
 * not the caller's), `unavailable` answers instead of a crash with a stack trace.
 */
export function coldStartHandler<E, R>(make: () => (event: E) => Promise<R>, unavailable?: (error: unknown) => R): (event: E) => Promise<R> {
  let handle: ((event: E) => Promise<R>) | undefined;
  return async (event) => {
    try {
      handle ??= make();
    } catch (error) {
      if (!unavailable) throw error;
      console.error('the handler could not start', error);
      return unavailable(error);
    }
    return handle(event);
  };
}

/** Calls `make` the first time only: one client per cold start, however many use cases share it. */
function once<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}

/** Where a function's code (and its `SETTINGS_FILE`) is unpacked; Lambda sets `LAMBDA_TASK_ROOT`. */
export interface HandlerSource {
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** @default env.LAMBDA_TASK_ROOT */
  readonly codeDir?: string;
  /** The ARN the function was invoked as (from the Lambda context), for what needs its own ARN. */
  readonly invokedFunctionArn?: () => string | undefined;
}

/**
 * What the stack gave the function of `handler` (lambdas/handler-environment.ts): its environment and its
 * bundled settings, each parsed on first use and once. A part the handler was not given is an error.
 */
function handlerInputs(handler: HandlerName, source: HandlerSource) {
  const env = source.env ?? process.env;
  const environment = once((): Partial<Record<EnvName, string>> => parseHandlerEnvironment(handler, env));
  const settings = once((): Partial<AllSettings> => {
    const dir = source.codeDir ?? env.LAMBDA_TASK_ROOT;
    if (!dir) throw new Error(`the ${handler} function cannot find its ${SETTINGS_FILE}: LAMBDA_TASK_ROOT is not set`);
    return parseHandlerSettings(handler, readFileSync(join(dir, SETTINGS_FILE), 'utf8'));
  });
  const given = <T>(what: string, value: T | undefined): T => {
    if (value === undefined) throw new Error(`the ${handler} function is given no ${what} (lambdas/handler-environment.ts)`);
    return value;
  };
  return {
    env: (name: EnvName): string => given(name, environment()[name]),
    /** A variable the stack sets only when it is needed (the console's URL, for commit statuses). */
    optionalEnv: (name: EnvName): string | undefined => environment()[name],
    setting: <K extends keyof AllSettings>(name: K): AllSettings[K] => given<AllSettings[K]>(name, settings()[name]),
  };
}

/**
 * The AWS services beyond the CMDB, each given by the handlers that use it (`aws-parts/`): one module per
 * SDK client, so a handler's bundle requires, and its cold start loads, only the clients it names.
 */
export interface AwsParts {
  /** Step Functions, made once: an engine for the state machines of each use (none for answering Tasks). */
  readonly workflows?: () => (arns: WorkflowArns) => WorkflowEngine;
  readonly secrets?: () => SecretStore;
  readonly mailer?: () => Mailer;
  /** EventBridge Scheduler, for the one handler that sets approval reminders. */
  readonly reminders?: (target: SchedulerReminderTarget) => ReminderScheduler;
  /** The git hosts' status APIs, for the step handlers that set commit statuses (not an SDK client, kept out of the other bundles). */
  readonly commitStatusHosts?: () => Readonly<Record<Provider, CommitStatusHost>>;
  /** SNS, for the one handler that publishes the approval notices to the notification topic. */
  readonly announce?: (topicArn: string, onError: (notice: Notice, error: unknown) => void) => (notice: Notice) => Promise<void>;
}

/**
 * Every adapter of the function of `handler`, made from what the stack gave it and the `parts` its
 * handler names, each on first use. Handlers receive what they need; none creates a client of its own.
 */
export function awsDependencies(handler: HandlerName, parts: AwsParts, source: HandlerSource = {}): ReleaseComposition {
  const { env, optionalEnv, setting } = handlerInputs(handler, source);
  const part = <K extends keyof AwsParts>(name: K): NonNullable<AwsParts[K]> => {
    const given = parts[name];
    if (!given) throw new Error(`the ${handler} function is given no ${name} (its handler names the AWS parts it uses)`);
    return given;
  };
  const engines = once(() => part('workflows')());
  // The approval functions only answer waiting Tasks: they start no workflow and are given no state machine.
  const arns = {
    continuous: () => ({ continuous: env(ENV.continuousStateMachineArn) }),
    promotion: () => ({ promotion: env(ENV.promotionStateMachineArn) }),
    tasks: () => ({}),
  };
  return composeRelease({
    config: () => setting('config'),
    stores: once(() => {
      const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
      return dynamoCmdbStores(documentClient, env(ENV.tableName), env(ENV.product));
    }),
    workflows: (use) => engines()(arns[use]()),
    buildTargets: () => buildTargets(setting('projects'), env(ENV.artifactBucket)),
    secrets: once(() => part('secrets')()),
    webhookSecretNames: () => setting('webhookSecrets'),
    // The stack names the key (see lib/approvals.ts).
    signingKeyName: () => env(ENV.approvalSigningKeySecret),
    approvalEmail: () => {
      const logger = new Logger();
      return {
        mailer: part('mailer')(),
        baseUrl: env(ENV.approvalBaseUrl),
        onSendFailed: (approver, error) => logger.warn('approval email failed', { approver, error }),
      };
    },
    // Only the approval-request function sets reminders; its stack gives it the schedule group and target.
    ...(parts.reminders ? { reminderScheduler: once(() => part('reminders')(reminderTarget(env(ENV.reminderSchedules), source.invokedFunctionArn?.()))) } : {}),
    // Only the approval-request function publishes the approval notices; the stack gives it the topic.
    ...(parts.announce
      ? {
          announce: once(() => {
            const logger = new Logger();
            return part('announce')(env(ENV.notificationTopicArn), (notice, error) => logger.warn('the notice could not be published', { subject: notice.subject, error }));
          }),
        }
      : {}),
    ...(parts.commitStatusHosts ? { commitStatusHosts: parts.commitStatusHosts } : {}),
    // Set by the stack when a repository asks for commit statuses: they link to the console's release page.
    releaseLinks: () => {
      const consoleUrl = optionalEnv(ENV.consoleUrl);
      return consoleUrl ? { console: consoleUrl } : {};
    },
    logger: () => new Logger(),
    clock: systemClock,
  });
}

/**
 * Where a reminder's schedule goes (lib/reminders.ts): the group and role named in `REMINDER_SCHEDULES`
 * (`<group>/<role prefix>`), and the function itself, by the ARN it was invoked as, which also gives the
 * partition, region and account of the role.
 */
export function reminderTarget(schedules: string, functionArn: string | undefined): SchedulerReminderTarget {
  const [group, rolePrefix] = schedules.split('/');
  const arn = /^arn:([\w-]+):lambda:([\w-]+):(\d{12}):function:/.exec(functionArn ?? '');
  if (!group || !rolePrefix || !arn || !functionArn) throw new Error('reminders need REMINDER_SCHEDULES and the function\'s own ARN');
  const [, partition, region, account] = arn;
  return { groupName: group, functionArn, roleArn: `arn:${partition}:iam::${account}:role/${rolePrefix}-${region}` };
}
