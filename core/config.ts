import * as z from 'zod';
import { deployAfterCycle } from './deploy-order';
import { parseDuration, DURATION_PATTERN } from './duration';
import { PROVIDERS } from './providers';
import { FreezeWindowConfig } from './freeze-config';

/** The default life of an approval link and of the workflow task that waits for it. */
export const DEFAULT_APPROVAL_TIMEOUT = '7d';
/** A Standard workflow lives at most a year; two gates of 90 days and the deploys fit comfortably. */
export const MAX_APPROVAL_TIMEOUT_DAYS = 90;

// In a module of their own, so that the Lambda request paths import them without this file's schemas.
export { PROVIDERS, type Provider } from './providers';

const name = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lowercase letters, digits and dashes (at most 63), starting with a letter or digit');

const duration = z
  .string()
  .regex(DURATION_PATTERN, 'must be a whole number followed by s, m, h or d, for example 90s, 30m, 12h or 3d')
  .refine((value) => !DURATION_PATTERN.test(value) || parseDuration(value) > 0, 'must be longer than zero');

const specFile = z.string().regex(/^[\w./-]+\.ya?ml$/, 'must be a relative path to a YAML file');

/** An AWS CodeConnections connection (or its older CodeStar Connections name) in any partition. */
export const CONNECTION_ARN = /^arn:aws[a-z-]*:(codeconnections|codestar-connections):[a-z0-9-]+:\d{12}:connection\/[A-Za-z0-9-]+$/;
/** An IAM role, with or without a path. */
export const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/;

/** CodeBuild's Linux instance sizes, by their short name or CodeBuild's own. */
export const COMPUTE_TYPES = [
  'SMALL',
  'MEDIUM',
  'LARGE',
  'X_LARGE',
  'X2_LARGE',
  'BUILD_GENERAL1_SMALL',
  'BUILD_GENERAL1_MEDIUM',
  'BUILD_GENERAL1_LARGE',
  'BUILD_GENERAL1_XLARGE',
  'BUILD_GENERAL1_2XLARGE',
] as const;

const BuildSettings = z
  .strictObject({
    computeType: z.enum(COMPUTE_TYPES).optional().describe('Instance size of the build, deploy and test projects (default SMALL).'),
    image: z
      .string()
      .regex(/^[\w][\w./:@-]*$/, 'must be a container image: a CodeBuild image id (aws/codebuild/standard:7.0) or a registry image (public.ecr.aws/...:tag)')
      .optional()
      .describe('Build image: aws/codebuild/... for a CodeBuild-managed image, otherwise a registry image (default aws/codebuild/standard:7.0).'),
    privileged: z.boolean().optional().describe('Run with Docker inside the build (default false).'),
  })
  .describe('CodeBuild settings of this repository\'s build, deploy and test projects.');

export const RepositoryConfig = z.strictObject({
  name: name.describe('Identifier used in the CLI, the CMDB and stack resource names.'),
  provider: z.enum(PROVIDERS).describe('Git host that posts the webhooks.'),
  url: z.url({ protocol: /^https$/, error: 'must be an https:// URL of the repository' }).describe('Web URL of the repository; webhooks are matched by it.'),
  localPath: z.string().min(1).optional().describe('Folder that local mode turns into a git repository and builds.'),
  buildspec: specFile.default('buildspec.yml').describe('Buildspec of the build project, in the repository.'),
  deployspec: specFile.default('deployspec.yml').describe('Buildspec of the deploy project, in the repository.'),
  testspec: specFile.default('testspec.yml').describe('Buildspec of the test project, in the repository.'),
  connectionArn: z
    .string()
    .regex(CONNECTION_ARN, 'must be a CodeConnections connection ARN: arn:aws:codeconnections:<region>:<account>:connection/<id> (or arn:aws:codestar-connections:...)')
    .optional()
    .describe('CodeConnections connection CodeBuild checks the repository out through; required for gitlab on AWS.'),
  build: BuildSettings.optional(),
  deployAfter: z
    .array(name)
    .optional()
    .describe('Repositories that a promotion deploys before this one, when they are promoted together (no cycles).'),
  commitStatus: z
    .strictObject({
      tokenSecret: z
        .string()
        .regex(/^[\w/+=.@-]{1,512}$/, 'must be a secret name: letters, digits and /_+=.@-')
        .describe('Secret holding the token that may set commit statuses (Secrets Manager on AWS, a file under <data>/secrets locally).'),
      apiUrl: z.url({ protocol: /^https?$/, error: 'must be the http(s) URL of the host\'s API' }).optional().describe('The host\'s API (default: https://api.github.com, https://gitlab.com, https://api.bitbucket.org).'),
    })
    .optional()
    .describe('Show cot/<environment> statuses on each commit at the git host.'),
});
export type RepositoryConfig = z.infer<typeof RepositoryConfig>;

/**
 * A branch name git accepts (`git check-ref-format --branch`): no spaces, control characters or any of
 * `~^:?*[\`, no `..` or `@{`, no part starting with `.` or ending with `.lock`, not starting with `-`.
 */
const branchName = z
  .string()
  .min(1)
  .max(255)
  .refine(
    (value) =>
      !/[\p{Cc} ~^:?*[\\]/u.test(value) &&
      !value.includes('..') &&
      !value.includes('@{') &&
      !value.includes('//') &&
      value !== '@' &&
      !value.startsWith('-') &&
      !value.startsWith('/') &&
      !value.endsWith('/') &&
      !value.endsWith('.') &&
      value.split('/').every((part) => !part.startsWith('.') && !part.endsWith('.lock')),
    'must be a valid git branch name (no spaces, "..", "~^:?*[\\", "@{", and no part that starts with "." or ends with ".lock")',
  );

/** Where an environment lives on AWS, when it is another account or region than the stack's. */
const deployTarget = {
  account: z
    .string({ error: (issue) => (issue.input === undefined ? undefined : 'must be a 12-digit AWS account id, quoted: "123456789012"') })
    .regex(/^\d{12}$/, 'must be a 12-digit AWS account id, quoted: "123456789012"')
    .optional()
    .describe('AWS account of the environment (a quoted string); must be the account of deployRoleArn.'),
  region: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, 'must be an AWS region name, for example eu-west-1')
    .optional()
    .describe('AWS region the deploy and test jobs work in (default: the stack\'s region).'),
  deployRoleArn: z
    .string()
    .regex(ROLE_ARN, 'must be an IAM role ARN: arn:aws:iam::<account>:role/<name>')
    .optional()
    .describe('IAM role in the environment\'s account that its deploy and test jobs assume.'),
};

const ContinuousEnvironment = z.strictObject({
  name,
  mode: z.literal('continuous'),
  branch: branchName.describe('Branch whose every push is deployed here.'),
  ...deployTarget,
});

const ApprovalEnvironment = z.strictObject({
  name,
  mode: z.literal('approval'),
  approvers: z.array(z.email({ error: 'must be an email address' })).min(1, 'an approval environment needs at least one approver'),
  approveBeforeDeploy: z.boolean().default(false).describe('Ask for approval before the deploy starts as well as after the tests.'),
  approvalTimeout: duration
    .refine((value) => !DURATION_PATTERN.test(value) || parseDuration(value) <= MAX_APPROVAL_TIMEOUT_DAYS * 86_400, `must be at most ${MAX_APPROVAL_TIMEOUT_DAYS}d`)
    .default(DEFAULT_APPROVAL_TIMEOUT)
    .describe('How long an approval link stays valid (at most 90d).'),
  autoRollback: z.boolean().default(false).describe('A failed test or a rejected acceptance redeploys the previous accepted commit.'),
  freeze: z
    .array(FreezeWindowConfig)
    .optional()
    .describe('Quiet periods: releases and promotions into this environment are refused unless overridden; rollbacks are not.'),
  ...deployTarget,
});

export const EnvironmentConfig = z.discriminatedUnion('mode', [ContinuousEnvironment, ApprovalEnvironment], {
  error: (issue) => (issue.code === 'invalid_union' ? 'mode must be "continuous" or "approval"' : undefined),
});
export type EnvironmentConfig = z.infer<typeof EnvironmentConfig>;
export type ContinuousEnvironmentConfig = z.infer<typeof ContinuousEnvironment>;
export type ApprovalEnvironmentConfig = z.infer<typeof ApprovalEnvironment>;

export const ReleaseConfig = z
  .strictObject({
    product: name.describe('Name of the product; prefixes resources and the CMDB board.'),
    repositories: z.array(RepositoryConfig).min(1, 'at least one repository is needed'),
    environments: z.array(EnvironmentConfig).min(1, 'at least one environment is needed').describe('Ordered, lowest first.'),
    notifications: z.strictObject({
      from: z.email({ error: 'must be an email address' }).describe('Sender of approval emails (an SES verified identity on AWS).'),
      reminders: z
        .strictObject({
          enabled: z.boolean().default(true).describe('Remind approvers once of an approval nobody has decided (default true).'),
          before: duration.optional().describe('Remind this long before the approval expires (default: halfway through its life, at most 24h before it expires).'),
        })
        .optional()
        .describe('One reminder email per undecided approval, with the same links.'),
      chat: z
        .strictObject({
          slack: z
            .strictObject({
              workspaceId: z.string().regex(/^[0-9A-Z]{1,255}$/, 'must be a Slack workspace id, for example T07EA123LEP').describe('The Slack workspace, as authorised in the AWS Chatbot console.'),
              channelId: z.string().regex(/^[A-Za-z0-9]{1,255}$/, 'must be a Slack channel id, for example C07EZ1ABC23').describe('The channel the notices go to.'),
            })
            .optional(),
          teams: z
            .strictObject({
              teamId: z.uuid({ error: 'must be the team\'s id (a UUID)' }).describe('The Microsoft Teams team, as authorised in the AWS Chatbot console.'),
              tenantId: z.uuid({ error: 'must be the tenant\'s id (a UUID)' }).describe('The Microsoft Entra tenant of the team.'),
              channelId: z.string().min(1).max(256).describe('The channel the notices go to (from its link).'),
            })
            .optional(),
        })
        .optional()
        .describe('Sends the notification topic to Slack or Microsoft Teams through AWS Chatbot (AWS only).'),
    }),
  })
  .superRefine((config, ctx) => {
    uniqueNames(config.repositories, 'repositories', ctx);
    uniqueNames(config.environments, 'environments', ctx);
    checkDeployAfter(config.repositories, ctx);
    config.environments.forEach((env, index) => {
      const roleAccount = env.deployRoleArn === undefined ? undefined : ROLE_ARN.exec(env.deployRoleArn)?.[1];
      if (env.account !== undefined && roleAccount !== undefined && env.account !== roleAccount) {
        ctx.addIssue({ code: 'custom', path: ['environments', index, 'account'], message: `is ${env.account} but deployRoleArn is in account ${roleAccount}: they must match` });
      }
      for (const field of ['account', 'region'] as const) {
        if (env[field] !== undefined && env.deployRoleArn === undefined) {
          ctx.addIssue({ code: 'custom', path: ['environments', index, field], message: 'needs deployRoleArn: account and region say where that role deploys' });
        }
      }
    });
    const firstApproval = config.environments.findIndex((env) => env.mode === 'approval');
    config.environments.forEach((env, index) => {
      if (firstApproval >= 0 && index > firstApproval && env.mode === 'continuous') {
        ctx.addIssue({
          code: 'custom',
          path: ['environments', index, 'mode'],
          message: `continuous environment "${env.name}" comes after approval environment "${config.environments[firstApproval]?.name}": continuous environments must come first`,
        });
      }
    });
    if (config.environments[0]?.mode !== 'continuous') {
      ctx.addIssue({
        code: 'custom',
        path: ['environments', 0, 'mode'],
        message: 'the first environment must be continuous: it is where every push is built and accepted',
      });
    }
  });
export type ReleaseConfig = z.infer<typeof ReleaseConfig>;

/** Where an environment's deploy and test jobs work when it has a `deployRoleArn`: the role, its account, the region. */
export interface DeployTarget {
  readonly roleArn: string;
  readonly account: string;
  /** Undefined: the stack's region. */
  readonly region: string | undefined;
}

export function deployTargetOf(env: EnvironmentConfig): DeployTarget | undefined {
  if (env.deployRoleArn === undefined) return undefined;
  const account = env.account ?? ROLE_ARN.exec(env.deployRoleArn)?.[1];
  if (account === undefined) throw new Error(`deployRoleArn of ${env.name} is not a role ARN`);
  return { roleArn: env.deployRoleArn, account, region: env.region };
}

function uniqueNames(items: ReadonlyArray<{ name: string }>, field: string, ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  items.forEach((item, index) => {
    if (seen.has(item.name)) {
      ctx.addIssue({ code: 'custom', path: [field, index, 'name'], message: `duplicate name "${item.name}": names must be unique` });
    }
    seen.add(item.name);
  });
}

/** `deployAfter` names configured repositories other than itself, and never makes a cycle. */
function checkDeployAfter(repositories: ReadonlyArray<{ name: string; deployAfter?: string[] | undefined }>, ctx: z.RefinementCtx): void {
  const names = new Set(repositories.map((repository) => repository.name));
  repositories.forEach((repository, index) => {
    (repository.deployAfter ?? []).forEach((other, position) => {
      const path = ['repositories', index, 'deployAfter', position];
      if (other === repository.name) ctx.addIssue({ code: 'custom', path, message: `"${other}" is this repository: it cannot deploy after itself` });
      else if (!names.has(other)) ctx.addIssue({ code: 'custom', path, message: `unknown repository "${other}"; configured: ${[...names].join(', ')}` });
    });
  });
  const cycle = deployAfterCycle(repositories);
  if (cycle && cycle.length > 2) {
    const index = repositories.findIndex((repository) => repository.name === cycle[0]);
    ctx.addIssue({ code: 'custom', path: ['repositories', index, 'deployAfter'], message: `deployAfter makes a cycle: ${cycle.join(' -> ')}` });
  }
}
