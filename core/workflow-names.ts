import type { LeaseBusyError, TransientError } from './errors';
import type { NotEligibleError } from './promotion-steps';

/**
 * The names the state machines and the step Lambdas must agree on, free of zod so that `lib/` can
 * import them (the schemas are in `workflow-contracts.ts`). See docs/architecture.md#continuous-workflow
 * and docs/architecture.md#promotion-workflow.
 */

/** The `action` of each Task of the continuous workflow that calls the `continuous-step` Lambda. */
export const CONTINUOUS_ACTIONS = {
  begin: 'begin',
  built: 'built',
  claim: 'claim',
  deployed: 'deployed',
  accept: 'accept',
  fail: 'fail',
} as const;
export type ContinuousAction = (typeof CONTINUOUS_ACTIONS)[keyof typeof CONTINUOUS_ACTIONS];

/** The `action` of each Task of the promotion workflow that calls the `promotion-step` Lambda. */
export const PROMOTION_ACTIONS = {
  begin: 'begin',
  claim: 'claim',
  deployed: 'deployed',
  tested: 'tested',
  accept: 'accept',
  reject: 'reject',
  expire: 'expire',
  fail: 'fail',
} as const;
export type PromotionAction = (typeof PROMOTION_ACTIONS)[keyof typeof PROMOTION_ACTIONS];

/**
 * The `action` of each Task of the promotion workflow's product path (a promotion of several repositories,
 * docs/architecture.md#promotions); the same `promotion-step` Lambda serves them.
 */
export const PRODUCT_ACTIONS = {
  productClaim: 'productClaim',
  memberDeployed: 'memberDeployed',
  memberFailed: 'memberFailed',
  productTested: 'productTested',
  productAccept: 'productAccept',
  productReject: 'productReject',
  productExpire: 'productExpire',
  productFail: 'productFail',
} as const;
export type ProductAction = (typeof PRODUCT_ACTIONS)[keyof typeof PRODUCT_ACTIONS];

/**
 * Errors a Task fails with that a `Retry` or `Catch` matches by name. The thrown ones are the `name` of
 * their error class (`satisfies` keeps them equal; the class's own name is minified away in bundles);
 * `Rejected` and `Superseded` are sent with `SendTaskFailure` to a waiting gate.
 */
export const WORKFLOW_ERRORS = {
  notEligible: 'NotEligibleError' satisfies NotEligibleError['name'],
  leaseBusy: 'LeaseBusyError' satisfies LeaseBusyError['name'],
  transient: 'TransientError' satisfies TransientError['name'],
  rejected: 'Rejected',
  superseded: 'Superseded',
} as const;

/** The `error` of each Fail state: how an execution ended when it did not succeed. */
export const EXECUTION_ERRORS = {
  notEligible: 'NotEligible',
  releaseRejected: 'ReleaseRejected',
  approvalExpired: 'ApprovalExpired',
  releaseFailed: 'ReleaseFailed',
  /** A member's deploy or test failed inside the deploy Map; the promotion's Catch takes it. */
  memberFailed: 'MemberFailed',
  continuousFailed: 'ContinuousDeploymentFailed',
  continuousNotStarted: 'ContinuousDeploymentNotStarted',
} as const;

/** What `claim` of a continuous run decided; the workflow's `DeployOrStop` branches on it. */
export const CLAIM_OUTCOMES = {
  deploy: 'deploy',
  superseded: 'superseded',
  held: 'held',
} as const;
export type ClaimOutcome = (typeof CLAIM_OUTCOMES)[keyof typeof CLAIM_OUTCOMES];

/** How a promotion ended when it did not end accepted; the workflow's `HowItEnded` branches on it. */
export const ENDING_OUTCOMES = {
  rejected: 'rejected',
  failed: 'failed',
  expired: 'expired',
} as const;
export type EndingOutcome = (typeof ENDING_OUTCOMES)[keyof typeof ENDING_OUTCOMES];
