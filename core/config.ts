import { z } from 'zod';
import { parseDuration, DURATION_PATTERN } from './duration';

/** The default life of an approval link and of the workflow task that waits for it. */
export const DEFAULT_APPROVAL_TIMEOUT = '7d';
/** A Standard workflow lives at most a year; two gates of 90 days and the deploys fit comfortably. */
export const MAX_APPROVAL_TIMEOUT_DAYS = 90;

export const PROVIDERS = ['github', 'gitlab', 'bitbucket'] as const;
export type Provider = (typeof PROVIDERS)[number];

const name = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lowercase letters, digits and dashes (at most 63), starting with a letter or digit');

const duration = z
  .string()
  .regex(DURATION_PATTERN, 'must be a whole number followed by s, m, h or d, for example 90s, 30m, 12h or 3d')
  .refine((value) => !DURATION_PATTERN.test(value) || parseDuration(value) > 0, 'must be longer than zero');

const specFile = z.string().regex(/^[\w./-]+\.ya?ml$/, 'must be a relative path to a YAML file');

export const RepositoryConfig = z.strictObject({
  name: name.describe('Identifier used in the CLI, the CMDB and stack resource names.'),
  provider: z.enum(PROVIDERS).describe('Git host that posts the webhooks.'),
  url: z.url({ protocol: /^https$/, error: 'must be an https:// URL of the repository' }).describe('Web URL of the repository; webhooks are matched by it.'),
  localPath: z.string().min(1).optional().describe('Folder that local mode turns into a git repository and builds.'),
  buildspec: specFile.default('buildspec.yml').describe('Buildspec of the build project, in the repository.'),
  deployspec: specFile.default('deployspec.yml').describe('Buildspec of the deploy project, in the repository.'),
  testspec: specFile.default('testspec.yml').describe('Buildspec of the test project, in the repository.'),
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

const ContinuousEnvironment = z.strictObject({
  name,
  mode: z.literal('continuous'),
  branch: branchName.describe('Branch whose every push is deployed here.'),
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
    }),
  })
  .superRefine((config, ctx) => {
    uniqueNames(config.repositories, 'repositories', ctx);
    uniqueNames(config.environments, 'environments', ctx);
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

function uniqueNames(items: ReadonlyArray<{ name: string }>, field: string, ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  items.forEach((item, index) => {
    if (seen.has(item.name)) {
      ctx.addIssue({ code: 'custom', path: [field, index, 'name'], message: `duplicate name "${item.name}": names must be unique` });
    }
    seen.add(item.name);
  });
}
