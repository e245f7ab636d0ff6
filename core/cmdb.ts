import type { FreezeOverride } from './freeze';
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
  /**
   * The S3 object version of the commit's artifact this release deploys: recorded by the build of a
   * continuous run, carried by each acceptance to the next environment (docs/deploy-to-aws.md#artifact-versions).
   */
  readonly artifactVersion?: string;
  /**
   * The environment whose acceptance of the commit gives the release its rank (docs/architecture.md#never-backwards):
   * the one below for a release, the release's own for a rollback (the default).
   */
  readonly rankFrom?: string;
  /** A member release: the promotion it belongs to (docs/architecture.md#promotions). */
  readonly promotionId?: string;
  /** A promotion: its members, one release of each (`repository` is then `*`, `commit` empty). */
  readonly members?: readonly PromotionMember[];
  /** A release made during a freeze window: who went ahead and why (docs/operations.md#freeze-windows). */
  readonly freezeOverride?: FreezeOverride;
}

/** One repository of a promotion: its own release of its commit, and what was accepted there before. */
export interface PromotionMember {
  readonly repository: string;
  readonly commit: string;
  readonly releaseId: string;
  /** The environment's accepted commit when the promotion was prepared: what rolling it back returns to. */
  readonly previous: string | null;
  /** The S3 object version of the commit's artifact the member deploys (docs/deploy-to-aws.md#artifact-versions). */
  readonly artifactVersion?: string;
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
  /**
   * Where its commit stands in the order commits passed the chain: when it was first accepted in the
   * first environment it passed (an ISO time, compared as a string). Set for operators' releases and
   * rollbacks; an ordinary release never moves an environment to a lower rank.
   */
  readonly rank?: string;
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
  /** When the approvers were reminded (once). */
  readonly remindedAt?: string;
  readonly decidedBy?: string;
  readonly decidedAt?: string;
  readonly comment?: string;
}

export type NewApproval = Omit<Approval, 'status' | 'notifiedAt' | 'remindedAt' | 'decidedBy' | 'decidedAt' | 'comment'>;

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
  /** The artifact version the accepted release deployed (absent for an acceptance recorded before it was kept). */
  readonly artifactVersion?: string;
}

export interface PushRecord {
  readonly repository: string;
  readonly branch: string;
  readonly commit: string;
  readonly message: string;
  readonly author: string;
  /** When we received the push: for people to read, never for ordering. */
  readonly pushedAt: string;
  /** When the host says it was pushed: used for ordering when history does not tell. */
  readonly hostPushedAt?: string;
  /** What the push says of the commit's history (docs/architecture.md#commit-order). */
  readonly before?: string;
  readonly forced?: boolean;
  readonly ancestors?: readonly string[];
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
