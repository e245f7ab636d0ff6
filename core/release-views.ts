import type { ApprovalRecord, Board, BoardCell, Failure, PendingApproval, Release, StateChange } from './cmdb';
import type { ReleaseConfig } from './config';
import type { MemberView, ProductView } from './product-views';
import type { FreezeOverride } from './freeze';
import type { ApprovalGate, ReleaseKind, ReleaseState } from './release-lifecycle';

/*
 * The JSON answers (docs/architecture.md#json-answers), built from CMDB records. Fields may be added to these shapes, none
 * renamed: the CLI and scripts read them. Absent values are `null`, never missing, so every key is always
 * there to read.
 */

/** A board cell as the API shows it: the CMDB's `BoardCell` without its address and bookkeeping. */
export interface BoardCellView {
  readonly commit: string | null;
  readonly acceptedCommit: string | null;
  readonly state: ReleaseState | null;
  readonly releaseId: string | null;
  readonly updatedAt: string;
  readonly held: boolean;
}

/** A pending approval on the board is the CMDB's record of it, as is. */
export type PendingApprovalView = PendingApproval;

export interface StatusView {
  readonly environments: string[];
  readonly repositories: Array<{ name: string; environments: Record<string, BoardCellView | null> }>;
  readonly pendingApprovals: PendingApprovalView[];
  /** Per environment, the product's accepted set and the repositories waiting below (docs/architecture.md#promotions). */
  readonly product?: ProductView;
}

export interface ApprovalRecordView {
  readonly gate: ApprovalGate;
  readonly decision: ApprovalRecord['decision'];
  readonly by: string;
  readonly at: string;
  readonly comment: string | null;
}

export interface HistoryItemView {
  readonly commit: string;
  readonly releaseId: string;
  /** The history (docs/architecture.md#json-answers) knows deploys and rollbacks: a continuous run and a release are both deploys. */
  readonly kind: 'deploy' | 'rollback';
  readonly state: ReleaseState;
  readonly requestedBy: string;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly approvals: ApprovalRecordView[];
  /** Only on a release that went ahead during a freeze window (docs/operations.md#freeze-windows). */
  readonly freezeOverride?: FreezeOverride;
}

export interface HistoryView {
  readonly items: HistoryItemView[];
  readonly cursor: string | null;
}

export interface ReleaseView {
  readonly releaseId: string;
  readonly repository: string;
  readonly environment: string;
  readonly commit: string;
  readonly kind: ReleaseKind;
  readonly state: ReleaseState;
  readonly requestedBy: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly rollbackOf: string | null;
  readonly freezeOverride?: FreezeOverride;
  readonly failure?: Failure;
  readonly history: StateChange[];
  readonly approvals: Array<ApprovalRecordView & { approvalId: string }>;
  /** A promotion's members (its `repository` is `*` and `commit` empty); absent for one repository's release. */
  readonly members?: MemberView[];
}

/**
 * The board: every configured repository x environment, `null` where the CMDB has no cell yet. Cells of
 * repositories or environments no longer configured are left out; approvals past their expiry are too
 * (nobody can decide them any more; the workflow closes them).
 */
export function statusView(config: ReleaseConfig, board: Board, now: Date): StatusView {
  const environments = config.environments.map((env) => env.name);
  const cells = new Map<string, BoardCell>(board.entries.map((cell) => [cellKey(cell.repository, cell.environment), cell]));
  return {
    environments,
    repositories: config.repositories.map((repository) => ({
      name: repository.name,
      environments: Object.fromEntries(
        environments.map((environment) => {
          const cell = cells.get(cellKey(repository.name, environment));
          return [environment, cell ? cellView(cell) : null];
        }),
      ),
    })),
    pendingApprovals: board.pendingApprovals
      .filter((approval) => Date.parse(approval.expiresAt) > now.getTime())
      .sort((a, b) => a.expiresAt.localeCompare(b.expiresAt))
      .map(({ id, releaseId, repository, environment, commit, gate, expiresAt }) => ({ id, releaseId, repository, environment, commit, gate, expiresAt })),
  };
}

function cellKey(repository: string, environment: string): string {
  return `${repository}\n${environment}`;
}

function cellView(cell: BoardCell): BoardCellView {
  const { commit, acceptedCommit, state, releaseId, updatedAt, held } = cell;
  return { commit, acceptedCommit, state, releaseId, updatedAt, held };
}

export function historyItemView(release: Release): HistoryItemView {
  return {
    commit: release.commit,
    releaseId: release.releaseId,
    kind: release.kind === 'rollback' ? 'rollback' : 'deploy',
    state: release.state,
    requestedBy: release.requestedBy,
    // Only releases whose deploy started are in the history, so startedAt is set; createdAt is a fallback.
    startedAt: release.startedAt ?? release.createdAt,
    finishedAt: release.finishedAt ?? null,
    approvals: release.approvals.map(approvalView),
    ...(release.freezeOverride ? { freezeOverride: release.freezeOverride } : {}),
  };
}

export function releaseView(release: Release): ReleaseView {
  return {
    releaseId: release.releaseId,
    repository: release.repository,
    environment: release.environment,
    commit: release.commit,
    kind: release.kind,
    state: release.state,
    requestedBy: release.requestedBy,
    createdAt: release.createdAt,
    updatedAt: release.updatedAt,
    startedAt: release.startedAt ?? null,
    finishedAt: release.finishedAt ?? null,
    rollbackOf: release.rollbackOf ?? null,
    ...(release.freezeOverride ? { freezeOverride: release.freezeOverride } : {}),
    ...(release.failure ? { failure: release.failure } : {}),
    history: release.history.map(({ state, at, by, detail }) => ({ state, at, by, ...(detail ? { detail } : {}) })),
    approvals: release.approvals.map((record) => ({ approvalId: record.approvalId, ...approvalView(record) })),
  };
}

function approvalView(record: ApprovalRecord): ApprovalRecordView {
  return { gate: record.gate, decision: record.decision, by: record.by, at: record.at, comment: record.comment ?? null };
}
