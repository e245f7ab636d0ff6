import type { ApprovalGate, ApprovalStatus, Decision, ReleaseKind, ReleaseState } from './release-lifecycle';
import type { Failure } from './workflow-contracts';

/** The steps whose failure a release records. */
export const FAILED_STEPS = ['build', 'deploy', 'test', 'approval', 'workflow'] as const;
export type FailedStep = (typeof FAILED_STEPS)[number];

/** The failure a release records is the one a workflow's `fail` step answers. */
export type { Failure };

export interface StateChange {
  readonly state: ReleaseState;
  readonly at: string;
  readonly by: string;
  readonly detail?: string;
}

export interface ApprovalRecord {
  readonly approvalId: string;
  readonly gate: ApprovalGate;
  readonly decision: Decision | 'expired' | 'superseded';
  readonly by: string;
  readonly at: string;
  readonly comment?: string;
}

export interface NewRelease {
  readonly releaseId: string;
  readonly repository: string;
  readonly environment: string;
  readonly commit: string;
  readonly kind: ReleaseKind;
  readonly requestedBy: string;
  readonly createdAt: string;
  /** For a rollback: the release whose commit it redeploys, or the release it undoes. */
  readonly rollbackOf?: string;
}

/** A release, or a continuous run of one push; from its first deploy on, also a row of the history. */
export interface Release extends NewRelease {
  readonly state: ReleaseState;
  readonly updatedAt: string;
  readonly history: StateChange[];
  readonly approvals: ApprovalRecord[];
  /** When its deploy started: set once, it makes the release a deployment of the environment's history. */
  readonly startedAt?: string;
  /** When its deploy succeeded and its commit became the environment's current one. */
  readonly deployedAt?: string;
  readonly finishedAt?: string;
  readonly failure?: Failure;
}

/** One cell of the board: a repository in an environment (docs/architecture.md#the-board). */
export interface BoardCell {
  readonly repository: string;
  readonly environment: string;
  /** The commit running there now. */
  readonly commit: string | null;
  /** The release whose deploy put `commit` there. */
  readonly deployedReleaseId: string | null;
  /** The commit last accepted there. */
  readonly acceptedCommit: string | null;
  /** The latest release of this repository and environment, and its state. */
  readonly releaseId: string | null;
  readonly state: ReleaseState | null;
  readonly updatedAt: string;
  /** A rolled-back continuous environment takes no new pushes until resumed. */
  readonly held: boolean;
}

/** @deprecated use BoardCell */
export type BoardEntry = BoardCell;

export interface Approval {
  readonly approvalId: string;
  readonly releaseId: string;
  readonly repository: string;
  readonly environment: string;
  readonly commit: string;
  readonly gate: ApprovalGate;
  readonly approvers: readonly string[];
  /** The Step Functions task token; it never leaves the CMDB and the workflow adapter. */
  readonly taskToken: string;
  readonly requestedBy: string;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly status: ApprovalStatus;
  /** When the approvers were told; unset while no email went out (a retried request tells them then). */
  readonly notifiedAt?: string;
  readonly decidedBy?: string;
  readonly decidedAt?: string;
  readonly comment?: string;
}

export type NewApproval = Omit<Approval, 'status' | 'notifiedAt' | 'decidedBy' | 'decidedAt' | 'comment'>;

export interface PendingApproval {
  readonly id: string;
  readonly releaseId: string;
  readonly repository: string;
  readonly environment: string;
  readonly commit: string;
  readonly gate: ApprovalGate;
  readonly expiresAt: string;
}

export interface Board {
  readonly entries: BoardCell[];
  readonly pendingApprovals: PendingApproval[];
}

export interface Page<T> {
  readonly items: T[];
  /** Opaque; pass it back to read the next page. Null on the last page. */
  readonly cursor: string | null;
}

export interface AcceptedCommit {
  readonly commit: string;
  readonly releaseId: string;
  readonly acceptedAt: string;
}

export interface PushRecord {
  readonly repository: string;
  readonly branch: string;
  readonly commit: string;
  readonly message: string;
  readonly author: string;
  readonly pushedAt: string;
}

export interface CommitInfo {
  readonly commit: string;
  readonly message: string;
  readonly author: string;
  readonly pushedAt: string;
}

export interface Actor {
  readonly by: string;
  readonly at: string;
}

/**
 * The CMDB: what runs where, since when, who approved it, what ran before. Every read is one Query or
 * GetItem; every write that must hold under concurrency is conditional and fails with `ConflictError`
 * (or `LeaseBusyError` for the deploy lease).
 */
export interface Cmdb {
  board(): Promise<Board>;
  boardEntry(repository: string, environment: string): Promise<BoardCell | undefined>;
  /** Deployments of an environment, newest first. */
  history(repository: string, environment: string, page?: { limit?: number; cursor?: string }): Promise<Page<Release>>;

  createRelease(release: NewRelease): Promise<Release>;
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
  /** Acceptances of an environment, newest first. */
  acceptedCommits(repository: string, environment: string, limit?: number): Promise<AcceptedCommit[]>;

  /** Records a pushed commit; the branch head moves only forward in push time. */
  recordPush(push: PushRecord): Promise<{ head: boolean }>;
  branchHead(repository: string, branch: string): Promise<CommitInfo | undefined>;
  getCommit(repository: string, commit: string): Promise<CommitInfo | undefined>;
  recordTag(repository: string, tag: string, commit: string, at: string): Promise<void>;
  /** A full SHA, a unique short SHA (at least 7 characters) or a tag, to a known full SHA. */
  resolveRef(repository: string, ref: string): Promise<string | undefined>;

  /** True the first time a delivery id is seen (kept for `ttlDays`); false for a redelivery. */
  claimDelivery(provider: string, deliveryId: string, at: Date, ttlDays?: number): Promise<boolean>;
  /** Forgets a claimed delivery whose handling failed, so the git host's retry is handled, not a duplicate. */
  releaseDelivery(provider: string, deliveryId: string): Promise<void>;

  acquireLease(repository: string, environment: string, holder: string, ttlSeconds: number, now: Date): Promise<void>;
  releaseLease(repository: string, environment: string, holder: string): Promise<void>;
  /** Who holds the deploy lease now, expired or not; undefined when nobody does. */
  leaseHolder(repository: string, environment: string): Promise<string | undefined>;
  setHeld(repository: string, environment: string, held: boolean, at: string): Promise<void>;

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
  /** Closes a pending approval that nobody decided (its release was superseded or it timed out). */
  closeApproval(approvalId: string, status: 'superseded' | 'expired', at: string): Promise<Approval | undefined>;
}
