import * as z from 'zod/mini';
import '../core/zod-english';
import type { ReleaseConfig } from '../core/config';

/*
 * What the stack gives each Lambda handler, in two parts (docs/architecture.md#handler-environment):
 *
 * - its **environment**: single values CloudFormation resolves at deploy time (the names and ARNs of the
 *   stack's resources), each of bounded size whatever the config;
 * - its **settings**: what synth already knows and grows with the config (the validated config, the
 *   build projects of every repository, the webhook secrets' names), bundled with the function's code as
 *   `SETTINGS_FILE`.
 *
 * `lib/handler-function.ts` sets both through these types; `aws-wiring.ts` parses both, once per cold start.
 */

/** Our Lambda handlers, by file name in `lambdas/`. */
export type HandlerName = 'continuous-step' | 'promotion-step' | 'approval-request' | 'approval-page' | 'operator-api' | 'webhook' | 'reconcile' | 'console' | 'console-page';

/** The names of the environment variables. */
export const ENV = {
  tableName: 'TABLE_NAME',
  product: 'PRODUCT',
  artifactBucket: 'ARTIFACT_BUCKET',
  continuousStateMachineArn: 'CONTINUOUS_STATE_MACHINE_ARN',
  promotionStateMachineArn: 'PROMOTION_STATE_MACHINE_ARN',
  approvalBaseUrl: 'APPROVAL_BASE_URL',
  approvalSigningKeySecret: 'APPROVAL_SIGNING_KEY_SECRET',
  userPoolId: 'USER_POOL_ID',
  userPoolClientId: 'USER_POOL_CLIENT_ID',
  userPoolDomainUrl: 'USER_POOL_DOMAIN_URL',
  /** `<schedule group>/<role name prefix>` of the approval reminders (lib/reminders.ts); names only, no ARN. */
  reminderSchedules: 'REMINDER_SCHEDULES',
  /** The console's URL: where commit statuses link (docs/operations.md#commit-statuses). */
  consoleUrl: 'CONSOLE_URL',
  /** The notification topic the approval notices go to (docs/operations.md#notifications). */
  notificationTopicArn: 'NOTIFICATION_TOPIC_ARN',
} as const;

export type EnvName = (typeof ENV)[keyof typeof ENV];

const value = z.string().check(z.minLength(1));
/** Every handler works on the CMDB: its table and the product whose board it keeps. */
const cmdb = { [ENV.tableName]: value, [ENV.product]: value };
/** Set by the stack only when a repository asks for commit statuses: where they link. */
const links = { [ENV.consoleUrl]: z.optional(value) };
/** The variables a function may lack: the stack sets them only when the config needs them. */
export const OPTIONAL_ENVIRONMENT: ReadonlySet<string> = new Set<string>([ENV.consoleUrl]);

/** The environment each handler reads. */
export const HANDLER_ENVIRONMENT = {
  'continuous-step': z.object({ ...cmdb, [ENV.artifactBucket]: value, ...links }),
  'promotion-step': z.object({ ...cmdb, [ENV.artifactBucket]: value, ...links }),
  'approval-request': z.object({ ...cmdb, [ENV.approvalBaseUrl]: value, [ENV.approvalSigningKeySecret]: value, [ENV.reminderSchedules]: value, [ENV.notificationTopicArn]: value }),
  'approval-page': z.object({ ...cmdb, [ENV.approvalSigningKeySecret]: value }),
  'operator-api': z.object({ ...cmdb, [ENV.promotionStateMachineArn]: value }),
  webhook: z.object({ ...cmdb, [ENV.continuousStateMachineArn]: value }),
  reconcile: z.object(cmdb),
  console: z.object({ ...cmdb, [ENV.promotionStateMachineArn]: value, [ENV.userPoolId]: value }),
  'console-page': z.object({ [ENV.product]: value, [ENV.userPoolClientId]: value, [ENV.userPoolDomainUrl]: value }),
} satisfies Record<HandlerName, z.ZodMiniObject>;

export type HandlerEnvironment<H extends HandlerName> = z.infer<(typeof HANDLER_ENVIRONMENT)[H]>;

/** The file, next to the handler's code, that holds its settings as JSON. */
export const SETTINGS_FILE = 'handler-settings.json';

/**
 * The config as synth wrote it: `lib/` builds the stack from a config `ReleaseConfig` parsed already (at
 * the edge: the config file), so a function checks only that it holds one, without classic zod's schemas
 * (most of a bundle and of its cold start).
 */
const TrustedConfig = z.custom<ReleaseConfig>(
  (value) => isRecord(value) && typeof value.product === 'string' && Array.isArray(value.repositories) && Array.isArray(value.environments) && isRecord(value.notifications),
  'must be the release config synth wrote',
);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Each setting, by name: the validated config, each repository's CodeBuild projects, webhook secret names. */
const SETTING = {
  config: TrustedConfig,
  projects: z.record(z.string(), z.object({ build: value, deploy: value, test: value })),
  /** Repository name -> name of its webhook secret in Secrets Manager. */
  webhookSecrets: z.record(z.string(), value),
};

/** The settings each handler reads. */
export const HANDLER_SETTINGS = {
  'continuous-step': z.object({ config: SETTING.config, projects: SETTING.projects }),
  'promotion-step': z.object({ config: SETTING.config, projects: SETTING.projects }),
  'approval-request': z.object({ config: SETTING.config }),
  'approval-page': z.object({ config: SETTING.config }),
  'operator-api': z.object({ config: SETTING.config }),
  webhook: z.object({ config: SETTING.config, webhookSecrets: SETTING.webhookSecrets }),
  reconcile: z.object({}),
  console: z.object({ config: SETTING.config }),
  'console-page': z.object({}),
} satisfies Record<HandlerName, z.ZodMiniObject>;

export type HandlerSettings<H extends HandlerName> = z.infer<(typeof HANDLER_SETTINGS)[H]>;
/** Every setting some handler has; one handler is given some of them. */
export type AllSettings = { [K in keyof typeof SETTING]: z.infer<(typeof SETTING)[K]> };

/** The environment of `handler`, or an error naming each variable that is missing or empty. */
export function parseHandlerEnvironment<H extends HandlerName>(handler: H, env: Readonly<Record<string, string | undefined>>): HandlerEnvironment<H> {
  const result = HANDLER_ENVIRONMENT[handler].safeParse(env);
  if (!result.success) throw new Error(`the ${handler} function's environment lacks ${result.error.issues.map((issue) => issue.path.join('.')).join(', ')}`);
  return result.data as HandlerEnvironment<H>;
}

/** The settings of `handler` from the text of its `SETTINGS_FILE`, or an error saying what is wrong. */
export function parseHandlerSettings<H extends HandlerName>(handler: H, text: string): HandlerSettings<H> {
  const result = HANDLER_SETTINGS[handler].safeParse(JSON.parse(text));
  if (!result.success) throw new Error(`the ${handler} function's ${SETTINGS_FILE} is not valid: ${z.prettifyError(result.error)}`);
  return result.data as HandlerSettings<H>;
}
