import * as z from 'zod/mini';
import { ArtifactListing, BuildTimes } from './artifact-version';
import {
  CaughtError,
  CommitTargets,
  ContinuousInput,
  Ending,
  Failure,
  FailedStep,
  NonEmpty,
  Approver,
  ExecutionInput,
  MemberRun,
  PromotionRun,
  ProductRun,
  TargetedProductRun,
  TargetedRun,
} from './workflow-contracts';
import { CLAIM_OUTCOMES, CONTINUOUS_ACTIONS, PRODUCT_ACTIONS, PROMOTION_ACTIONS, type ContinuousAction, type ProductAction, type PromotionAction } from './workflow-names';

/**
 * The call of each step Task, `{ action, ...fields }` (a union on `action`), and what each action answers.
 * The Lambdas parse the calls with these; the answers are what the next states read at their
 * `ResultPath`. See docs/architecture.md#continuous-workflow and docs/architecture.md#promotion-workflow.
 */

/** The SNS subject (at most 100 characters) and message of a workflow outcome. */
const Notice = z.object({ subject: z.string(), message: z.string() });
const Nothing = z.object({});

const ContinuousRun = z.object({ input: ContinuousInput, releaseId: NonEmpty });
const Execution = z.object({
  name: NonEmpty,
  startTime: z.string().check(z.refine((value) => !Number.isNaN(Date.parse(value)), 'must be a time')),
});

export const ContinuousStepEvent = z.discriminatedUnion('action', [
  z.object({ action: z.literal(CONTINUOUS_ACTIONS.begin), input: ContinuousInput, execution: z.optional(Execution) }),
  /** After the build: which version of the artifact it stored, from the key's versions listed then. */
  z.extend(ContinuousRun, { action: z.literal(CONTINUOUS_ACTIONS.built), build: BuildTimes, versions: ArtifactListing }),
  z.extend(ContinuousRun, { action: z.literal(CONTINUOUS_ACTIONS.claim) }),
  z.extend(ContinuousRun, { action: z.literal(CONTINUOUS_ACTIONS.deployed) }),
  z.extend(ContinuousRun, { action: z.literal(CONTINUOUS_ACTIONS.accept) }),
  z.object({
    action: z.literal(CONTINUOUS_ACTIONS.fail),
    input: ContinuousInput,
    releaseId: z.optional(NonEmpty),
    step: FailedStep,
    error: CaughtError,
  }),
]);
export type ContinuousStepEvent = z.infer<typeof ContinuousStepEvent>;

export const ContinuousStepResults = {
  /** `superseded`: the push is not the branch's head any more; the run ends without a build. */
  begin: z.extend(CommitTargets, { releaseId: NonEmpty, superseded: z.optional(z.boolean()) }),
  /** `version`: the S3 object version of the commit's artifact, which the deploy and test runs read. */
  built: z.object({ version: NonEmpty }),
  claim: z.object({ outcome: z.enum(CLAIM_OUTCOMES) }),
  deployed: Nothing,
  accept: Notice,
  fail: z.extend(Notice, { failure: Failure }),
} satisfies Record<ContinuousAction, z.ZodMiniType>;
export type ContinuousStepResult<A extends ContinuousAction = ContinuousAction> = z.infer<(typeof ContinuousStepResults)[A]>;

const WithRun = z.object({ run: PromotionRun });
const WithProduct = z.object({ run: ProductRun });
/** A member's step inside the deploy Map: the member and the promotion's environment. */
const WithMember = z.object({ member: MemberRun, environment: NonEmpty });

export const PromotionStepEvent = z.discriminatedUnion('action', [
  z.object({ action: z.literal(PROMOTION_ACTIONS.begin), input: ExecutionInput }),
  z.extend(WithRun, { action: z.literal(PROMOTION_ACTIONS.claim) }),
  z.extend(WithRun, { action: z.literal(PROMOTION_ACTIONS.deployed) }),
  z.extend(WithRun, { action: z.literal(PROMOTION_ACTIONS.tested) }),
  z.extend(WithRun, { action: z.literal(PROMOTION_ACTIONS.accept), approval: Approver }),
  z.extend(WithRun, { action: z.literal(PROMOTION_ACTIONS.reject), error: CaughtError }),
  z.extend(WithRun, { action: z.literal(PROMOTION_ACTIONS.expire) }),
  z.extend(WithRun, { action: z.literal(PROMOTION_ACTIONS.fail), step: FailedStep, error: CaughtError }),
]);
export type PromotionStepEvent = z.infer<typeof PromotionStepEvent>;

/** The calls of the product path's Tasks (docs/architecture.md#promotions), served by the same Lambda. */
export const ProductStepEvent = z.discriminatedUnion('action', [
  z.extend(WithProduct, { action: z.literal(PRODUCT_ACTIONS.productClaim) }),
  z.extend(WithMember, { action: z.literal(PRODUCT_ACTIONS.memberDeployed) }),
  z.extend(WithMember, { action: z.literal(PRODUCT_ACTIONS.memberFailed), step: FailedStep, error: CaughtError }),
  z.extend(WithProduct, { action: z.literal(PRODUCT_ACTIONS.productTested) }),
  z.extend(WithProduct, { action: z.literal(PRODUCT_ACTIONS.productAccept), approval: Approver }),
  z.extend(WithProduct, { action: z.literal(PRODUCT_ACTIONS.productReject), error: CaughtError }),
  z.extend(WithProduct, { action: z.literal(PRODUCT_ACTIONS.productExpire) }),
  z.extend(WithProduct, { action: z.literal(PRODUCT_ACTIONS.productFail), step: FailedStep, error: CaughtError }),
]);
export type ProductStepEvent = z.infer<typeof ProductStepEvent>;

/** An ending as published, and the rollback run (with its targets) the workflow goes on with. */
const Ended = z.extend(Notice, { outcome: Ending.shape.outcome, rollback: z.optional(TargetedRun) });
const ProductEnded = z.extend(Notice, { outcome: Ending.shape.outcome, rollback: z.optional(TargetedProductRun) });

export const PromotionStepResults = {
  begin: z.union([TargetedRun, TargetedProductRun]),
  claim: Nothing,
  deployed: Nothing,
  tested: Nothing,
  accept: Notice,
  reject: Ended,
  expire: Ended,
  fail: Ended,
} satisfies Record<PromotionAction, z.ZodMiniType>;
export type PromotionStepResult<A extends PromotionAction = PromotionAction> = z.infer<(typeof PromotionStepResults)[A]>;

export const ProductStepResults = {
  productClaim: Nothing,
  memberDeployed: Nothing,
  memberFailed: Nothing,
  productTested: Nothing,
  productAccept: Notice,
  productReject: ProductEnded,
  productExpire: ProductEnded,
  productFail: ProductEnded,
} satisfies Record<ProductAction, z.ZodMiniType>;
export type ProductStepResult<A extends ProductAction = ProductAction> = z.infer<(typeof ProductStepResults)[A]>;
