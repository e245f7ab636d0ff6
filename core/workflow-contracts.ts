import * as z from 'zod/mini';
import './zod-english';
import { FAILED_STEPS } from './cmdb';
import { APPROVAL_GATES, type Decision, type ReleaseKind } from './release-lifecycle';
import { ENDING_OUTCOMES } from './workflow-names';

/**
 * What the workflows carry between their states, each defined once: the execution inputs, the run a
 * promotion works on, how it ended, and what the approval gates send and receive. The step Lambdas parse
 * with these at their edge (`workflow-step-contracts.ts`); inside the core the types are trusted.
 * zod/mini, because they run on Lambda request paths. See docs/architecture.md#promotion-workflow.
 */

export const NonEmpty = z.string().check(z.minLength(1));
const Name = z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{0,62}$/));
const Sha = z.string().check(z.regex(/^[0-9a-f]{40}$/, 'must be a full 40-character commit SHA'));
const ApprovalGate = z.enum(APPROVAL_GATES);
/** A promotion deploys a release or a rollback; a `deploy` is a continuous run. */
const PromotedKind = z.enum(['release', 'rollback'] satisfies ReleaseKind[]);

export const FailedStep = z.enum(FAILED_STEPS);

/** What a Step Functions `Catch` puts at its `ResultPath`. */
export const CaughtError = z.object({ Error: z.optional(z.string()), Cause: z.optional(z.string()) });
export type CaughtError = z.infer<typeof CaughtError>;

export const Failure = z.object({
  step: FailedStep,
  message: z.string(),
  /** Link to the failing run's log (a CodeBuild deep link on AWS, a file in local mode). */
  logUrl: z.optional(z.string()),
});
export type Failure = z.infer<typeof Failure>;

/** Input of the continuous deployment workflow: one pushed commit of one repository's tracked branch. */
export const ContinuousInput = z.object({
  repository: Name,
  environment: Name,
  branch: NonEmpty,
  commit: Sha,
  message: z.string(),
  author: z.string(),
  /** Who or what started it: `push:<provider>:<delivery id>`. */
  requestedBy: NonEmpty,
});
export type ContinuousInput = z.infer<typeof ContinuousInput>;

/** Input of the promotion workflow: a prepared release or a rollback of one environment. */
export const PromotionInput = z.object({
  releaseId: NonEmpty,
  repository: Name,
  environment: Name,
  commit: Sha,
  kind: PromotedKind,
  requestedBy: NonEmpty,
  /** Go straight back to waiting at this gate (local mode, resuming after a restart). */
  resumeAt: z.optional(ApprovalGate),
});
export type PromotionInput = z.infer<typeof PromotionInput>;

/** Input of the promotion workflow for a promotion of several repositories (its members are in the CMDB). */
export const ProductInput = z.object({
  releaseId: NonEmpty,
  environment: Name,
  kind: PromotedKind,
  requestedBy: NonEmpty,
  product: z.literal(true),
  resumeAt: z.optional(ApprovalGate),
});
export type ProductInput = z.infer<typeof ProductInput>;

/** What starts a promotion workflow: one repository's release, or a promotion of several (docs/architecture.md#promotions). */
export const ExecutionInput = z.union([ProductInput, PromotionInput]);
export type ExecutionInput = z.infer<typeof ExecutionInput>;

/** The release a promotion run works on: the prepared release, or after a rejection its automatic rollback. */
export const PromotionRun = z.object({
  releaseId: NonEmpty,
  repository: Name,
  environment: Name,
  commit: Sha,
  kind: PromotedKind,
  approveBeforeDeploy: z.boolean(),
  autoRollback: z.boolean(),
  /** The approval Tasks' timeout: the environment's `approvalTimeout`. */
  timeoutSeconds: z.int().check(z.nonnegative()),
  /** The S3 object version of the commit's artifact that the deploy and test runs read. */
  artifactVersion: NonEmpty,
});
export type PromotionRun = z.infer<typeof PromotionRun>;

/** Where a commit is built, deployed and tested, and where its artifact lives: the CodeBuild Tasks read these. */
export const CommitTargets = z.object({
  projects: z.object({ build: z.string(), deploy: z.string(), test: z.string() }),
  /** `key` is the object every build of the commit writes (`path/name`); `location` is `bucket/key`. */
  artifact: z.object({ bucket: z.string(), path: z.string(), name: z.string(), key: z.string(), location: z.string() }),
});
export type CommitTargets = z.infer<typeof CommitTargets>;

/** A promotion run as the workflow holds it at `$.run.value`. */
export const TargetedRun = z.extend(PromotionRun, CommitTargets.shape);
export type TargetedRun = z.infer<typeof TargetedRun>;

/** One member of a promotion run: its own release of its repository's commit, pinned to an artifact version. */
export const MemberRun = z.object({ releaseId: NonEmpty, repository: Name, commit: Sha, artifactVersion: NonEmpty });
export type MemberRun = z.infer<typeof MemberRun>;

/** A promotion run: its members in waves (deployed one wave after the other, a wave's members in parallel). */
export const ProductRun = z.object({
  releaseId: NonEmpty,
  environment: Name,
  kind: PromotedKind,
  product: z.literal(true),
  approveBeforeDeploy: z.boolean(),
  autoRollback: z.boolean(),
  timeoutSeconds: z.int().check(z.nonnegative()),
  waves: z.array(z.array(MemberRun)),
});
export type ProductRun = z.infer<typeof ProductRun>;

/** A member with the projects and the artifact its deploy and test Tasks read. */
export const TargetedMember = z.extend(MemberRun, CommitTargets.shape);
/** A promotion run as the workflow holds it at `$.run.value`. */
export const TargetedProductRun = z.extend(ProductRun, { waves: z.array(z.array(TargetedMember)) });
export type TargetedProductRun = z.infer<typeof TargetedProductRun>;

/** How a promotion ended when it did not end accepted; `rollback` returns the members deployed to the previous set. */
export const ProductEnding = z.object({
  outcome: z.enum(ENDING_OUTCOMES),
  rollback: z.optional(ProductRun),
  failure: z.optional(Failure),
});
export type ProductEnding = z.infer<typeof ProductEnding>;

/** How a release ended when it did not end accepted; `rollback` is the run that redeploys the previous commit. */
export const Ending = z.object({
  outcome: z.enum(ENDING_OUTCOMES),
  rollback: z.optional(PromotionRun),
  failure: z.optional(Failure),
});
export type Ending = z.infer<typeof Ending>;

/** What the workflow gives the approval Task (`.waitForTaskToken`). */
export const ApprovalRequest = z.object({
  taskToken: NonEmpty,
  gate: ApprovalGate,
  releaseId: NonEmpty,
  timeoutSeconds: z.int().check(z.positive()),
});
export type ApprovalRequest = z.infer<typeof ApprovalRequest>;

/** What the approval Task's Lambda answers before the gate waits. */
export const ApprovalRequested = z.object({ approvalId: NonEmpty });
export type ApprovalRequested = z.infer<typeof ApprovalRequested>;

/** Who approved at a gate; the `accept` step records it. */
export const Approver = z.object({ by: NonEmpty, comment: z.optional(z.string()) });
export type Approver = z.infer<typeof Approver>;

/** What the waiting gate Task receives when an approver approves; a rejection fails it with `Rejected`. */
export const ApprovedOutput = z.extend(Approver, { decision: z.literal('approve' satisfies Decision) });
export type ApprovedOutput = z.infer<typeof ApprovedOutput>;
