import type {
  AcceptedCommit,
  Actor,
  Approval,
  Board,
  BoardCell,
  CommitInfo,
  Failure,
  NewApproval,
  NewRelease,
  Page,
  PushRecord,
  Release,
} from './cmdb';
import type { PromotionStore } from './promotions';
import type { MetricsStore } from './metrics';
import type { Decision, ReleaseState } from './release-lifecycle';

/*
 * The CMDB (docs/architecture.md#cmdb): what runs where, since when, who approved it, what ran before.
 * One store per aggregate, so each use case names what it touches. Every read is one Query, GetItem or
 * BatchGetItem of known keys; every write that must hold under concurrency is conditional and fails with
 * `ConflictError` (or `LeaseBusyError` for the deploy lease).
 */

/** Releases and continuous runs, with what follows from them: the board, the history, the acceptances. */
export interface ReleaseStore {
  board(): Promise<Board>;
  boardCell(repository: string, environment: string): Promise<BoardCell | undefined>;
  /** Deployments of an environment, newest first. */
  history(repository: string, environment: string, page?: { limit?: number; cursor?: string }): Promise<Page<Release>>;

  createRelease(release: NewRelease): Promise<Release>;
  /**
   * Creates an operator's release or rollback as the one active release of its repository and
   * environment (docs/architecture.md#one-release-at-a-time), in one conditional transaction:
   * - an equal one (same commit and kind) still in flight is returned instead (`existing`);
   * - an active one still waiting (prepared, or for a person) is superseded: it can never be accepted;
   * - an active one deploying or testing: `ConflictError` naming it.
   */
  startExclusive(release: NewRelease): Promise<{ release: Release; existing: boolean; superseded?: string }>;
  getRelease(releaseId: string): Promise<Release | undefined>;
  /**
   * Moves a release along the lifecycle; `ConflictError` when its current state does not allow `to`.
   * Moving to `deploying` makes it a deployment: a row of its environment's history from then on.
   */
  transitionRelease(releaseId: string, to: ReleaseState, change: Actor & { detail?: string; failure?: Failure }): Promise<Release>;
  /**
   * The deploy succeeded: the release moves to `testing` and its commit becomes the environment's current
   * one, atomically. A failed deploy never gets here, so the current commit stays what ran before.
   */
  recordDeployment(releaseId: string, change: Actor): Promise<Release>;
  /** The release is accepted: state, the environment's accepted commit and the acceptance record move together. */
  markAccepted(releaseId: string, change: Actor & { detail?: string }): Promise<Release>;

  isAccepted(repository: string, environment: string, commit: string): Promise<boolean>;
  /** The artifact version of the newest acceptance of a commit in an environment, if one was recorded. */
  acceptedArtifact(repository: string, environment: string, commit: string): Promise<string | undefined>;
  /** Records which S3 object version of the commit's artifact the release deploys (set once, never changed). */
  recordArtifact(releaseId: string, artifactVersion: string): Promise<void>;
  /** Acceptances of an environment, newest first (a commit accepted twice appears twice). */
  acceptedCommits(repository: string, environment: string, limit?: number): Promise<AcceptedCommit[]>;
  /** Every acceptance of an environment, newest first, read page by page as the caller goes on. */
  acceptances(repository: string, environment: string): AsyncIterable<AcceptedCommit>;

  setHeld(repository: string, environment: string, held: boolean, at: string): Promise<void>;
}

/** Pending human decisions; the board lists the pending ones (`ReleaseStore.board`). */
export interface ApprovalStore {
  createApproval(approval: NewApproval): Promise<Approval>;
  getApproval(approvalId: string): Promise<Approval | undefined>;
  /** Decides a pending, unexpired approval once; `ConflictError` (with the approval as it is) otherwise. */
  decideApproval(approvalId: string, decision: { decision: Decision; by: string; at: string; comment?: string }): Promise<Approval>;
  /**
   * Gives a pending approval the token of a new waiting Task (a retried request, or local mode resuming
   * a wait after a restart): its id and links stay valid. `ConflictError` once it is no longer pending.
   */
  renewApprovalToken(approvalId: string, taskToken: string): Promise<Approval>;
  /** Records that the approvers were told. */
  markApprovalNotified(approvalId: string, at: string): Promise<void>;
  /**
   * Claims the one reminder of a pending approval (docs/operations.md#reminders): true for the first
   * call while it is pending; false once reminded, decided or closed.
   */
  markApprovalReminded(approvalId: string, at: string): Promise<boolean>;
  /** Closes a pending approval that nobody decided (its release was superseded or it timed out). */
  closeApproval(approvalId: string, status: 'superseded' | 'expired', at: string): Promise<Approval | undefined>;
}

/** What the git hosts told us: pushed commits, branch heads, tags. */
export interface PushStore {
  /**
   * Records a pushed commit and what the push says of its history, then moves the branch head to it as
   * `advanceHead` does. `reason` says why it is, or is not, the head.
   */
  recordPush(push: PushRecord): Promise<{ head: boolean; reason: string }>;
  /**
   * What the webhook writes for a pushed branch, in one transaction and with no read: the claim of its
   * delivery (`DeliveryStore.claimDelivery`) and what the push tells of its commit. `claimed: false`, with
   * nothing written, when the delivery was claimed already. The head moves when the push's run begins
   * (`advanceHead`), not before the webhook answers (docs/architecture.md#webhooks).
   */
  claimAndRecordPush(claim: DeliveryClaim, push: PushRecord): Promise<{ claimed: boolean }>;
  /**
   * Moves the branch head to a recorded commit when it is newer than the head by `compareToTip`
   * (docs/architecture.md#commit-order), with a conditional write on the head it compared with; never
   * back. `head` says whether the commit is the head now, `reason` why or why not.
   */
  advanceHead(repository: string, branch: string, commit: string): Promise<{ head: boolean; reason: string }>;
  branchHead(repository: string, branch: string): Promise<CommitInfo | undefined>;
  getCommit(repository: string, commit: string): Promise<CommitInfo | undefined>;
  recordTag(repository: string, tag: string, commit: string, at: string): Promise<void>;
  /** A full SHA, a unique short SHA (at least 7 characters) or a tag, to a known full SHA. */
  resolveRef(repository: string, ref: string): Promise<string | undefined>;
}

/** One deploy at a time per repository x environment. */
export interface LeaseStore {
  acquireLease(repository: string, environment: string, holder: string, ttlSeconds: number, now: Date): Promise<void>;
  releaseLease(repository: string, environment: string, holder: string): Promise<void>;
  /** Who holds the deploy lease now, expired or not; undefined when nobody does. */
  leaseHolder(repository: string, environment: string): Promise<string | undefined>;
}

/** One ref of one webhook delivery, claimed so that its redelivery is a no-op. */
export interface DeliveryClaim {
  readonly provider: string;
  readonly deliveryId: string;
  readonly at: Date;
  /** How long the claim holds. @default DEFAULT_DELIVERY_TTL_DAYS of the adapter */
  readonly ttlDays?: number;
}

/** Webhook deliveries already handled, so a redelivery is a no-op. */
export interface DeliveryStore {
  /** True the first time a delivery id is seen (kept for `ttlDays`); false for a redelivery. */
  claimDelivery(provider: string, deliveryId: string, at: Date, ttlDays?: number): Promise<boolean>;
  /** Forgets a claimed delivery whose handling failed, so the git host's retry is handled, not a duplicate. */
  releaseDelivery(provider: string, deliveryId: string): Promise<void>;
}

/** Every store of one CMDB, as a platform provides them. */
export interface CmdbStores {
  readonly releases: ReleaseStore;
  readonly approvals: ApprovalStore;
  readonly pushes: PushStore;
  readonly leases: LeaseStore;
  readonly deliveries: DeliveryStore;
  readonly promotions: PromotionStore;
  /** Reads for the delivery metrics (docs/operations.md#delivery-metrics). */
  readonly metrics: MetricsStore;
}
