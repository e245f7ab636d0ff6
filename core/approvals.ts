import type { Approval, Release } from './cmdb';
import type { ApprovalStore, ReleaseStore } from './cmdb-stores';
import type { EnvironmentChain } from './environment-chain';
import { ConflictError, DomainError, ForbiddenError, NotFoundError, ValidationError } from './errors';
import { isApprovalId, newApprovalId } from './ids';
import { approvalWaitingNotice, type Notice } from './notifications';
import type { Clock, WorkflowEngine } from './ports';
import { waitingState, type Decision } from './release-lifecycle';
import type { ApprovalRequest, ApprovedOutput } from './workflow-contracts';
import { WORKFLOW_ERRORS } from './workflow-names';

/** Tells the approvers (email on AWS, the outbox in local mode). */
export interface ApprovalNotifier {
  approvalRequested(approval: Approval, release: Release): Promise<void>;
}

export interface DecisionInput {
  readonly approvalId: string;
  readonly decision: Decision;
  /** The approver's email (from a verified link) or the caller's IAM identity (from the API). */
  readonly by: string;
  readonly comment?: string;
  /**
   * `link`: an emailed link; `by` must be one of the approvers, and approving needs `confirm` equal to the
   * environment's name (mail scanners can press buttons, not know what to type). `api`: an operator
   * authenticated by IAM, recorded by identity.
   */
  readonly via: 'link' | 'api';
  readonly confirm?: string;
}

/**
 * Human decisions of the promotion workflow. An approval is stored with its task token (which never
 * leaves the CMDB), decided once by a conditional write, and only then is the waiting workflow told.
 */
export class Approvals {
  constructor(
    private readonly deps: {
      releases: ReleaseStore;
      approvals: ApprovalStore;
      workflows: WorkflowEngine;
      clock: Clock;
      chain: EnvironmentChain;
      notifier?: ApprovalNotifier;
      /** Sets the reminder of a new approval (docs/operations.md#reminders). @default no reminders */
      reminders?: { plan(approval: Approval): Promise<unknown> };
      /** Setting a reminder failed: the approval stands, its approvers just get no reminder. */
      onReminderFailed?: (approval: Approval, error: unknown) => void;
      /** Tells the notification topic an approval waits (docs/operations.md#notifications); never throws. @default nobody */
      announce?: (notice: Notice) => Promise<void>;
    },
  ) {}

  async request(input: ApprovalRequest): Promise<Approval> {
    const { releases, approvals, clock, chain } = this.deps;
    const release = await releases.getRelease(input.releaseId);
    if (!release) throw new NotFoundError(`release ${input.releaseId} does not exist`);
    // One approval per release and gate: a repeated request (a retried Task, or local mode resuming a
    // wait after a restart) hands the pending approval the new token, and its emailed links keep working;
    // approvers nobody could tell yet are told now.
    const pending = (await releases.board()).pendingApprovals.find((candidate) => candidate.releaseId === release.releaseId && candidate.gate === input.gate);
    if (pending) {
      const renewed = await approvals.renewApprovalToken(pending.id, input.taskToken);
      if (!renewed.notifiedAt) await this.notify(renewed, release);
      return renewed;
    }
    const now = clock.now();
    // The release waits first, then its approval appears: whoever sees the approval (the board, a
    // link) finds the release already waiting for it. A retried request finds it waiting already.
    const waiting =
      release.state === waitingState(input.gate)
        ? release
        : await releases.transitionRelease(release.releaseId, waitingState(input.gate), {
            by: 'system',
            at: now.toISOString(),
            detail: `approval requested from ${chain.approval(release.environment).approvers.join(', ')}`,
          });
    // A promotion's members wait with it, so each repository's board cell says who it waits for.
    for (const member of release.members ?? []) {
      await releases.transitionRelease(member.releaseId, waitingState(input.gate), { by: 'system', at: now.toISOString(), detail: `promotion ${release.releaseId} waits for a person` }).catch((error: unknown) => {
        if (!(error instanceof ConflictError)) throw error;
      });
    }
    const approval = await approvals.createApproval({
      approvalId: newApprovalId(),
      releaseId: release.releaseId,
      repository: release.repository,
      environment: release.environment,
      commit: release.commit,
      gate: input.gate,
      approvers: chain.approval(release.environment).approvers,
      taskToken: input.taskToken,
      requestedBy: release.requestedBy,
      createdAt: now.toISOString(),
      // The waiting Task's clock started a moment before this one: the links expire a little earlier, so
      // a click they accept always reaches a workflow that still waits (see `waitDeadline`).
      expiresAt: new Date(now.getTime() + input.timeoutSeconds * 1000 - Math.min(LINK_MARGIN_MS, input.timeoutSeconds * 100)).toISOString(),
    });
    await this.notify(approval, waiting);
    await this.deps.announce?.(approvalWaitingNotice(approval));
    await this.deps.reminders?.plan(approval).catch((error: unknown) => this.deps.onReminderFailed?.(approval, error));
    return approval;
  }

  private async notify(approval: Approval, release: Release): Promise<void> {
    if (!this.deps.notifier) return;
    await this.deps.notifier.approvalRequested(approval, release);
    await this.deps.approvals.markApprovalNotified(approval.approvalId, this.deps.clock.now().toISOString());
  }

  /** The approval as stored; it carries the task token, which no page or link may show. */
  async get(approvalId: string): Promise<Approval | undefined> {
    // Not an id we could have made: no such approval, without asking the CMDB.
    if (!isApprovalId(approvalId)) return undefined;
    return this.deps.approvals.getApproval(approvalId);
  }

  async decide(input: DecisionInput): Promise<Approval> {
    const { approvals, workflows, clock } = this.deps;
    if (!isApprovalId(input.approvalId)) throw new ValidationError(`"${input.approvalId.slice(0, 40)}${input.approvalId.length > 40 ? '…' : ''}" is not an approval id`);
    const approval = await approvals.getApproval(input.approvalId);
    if (!approval) throw new NotFoundError(`approval ${input.approvalId} does not exist`);
    const comment = input.comment?.trim() || undefined;
    if (input.via === 'link') {
      if (!approval.approvers.some((approver) => approver.toLowerCase() === input.by.toLowerCase())) {
        throw new ForbiddenError(`${input.by} is not an approver of ${approval.environment}`);
      }
      if (input.decision === 'approve' && input.confirm?.trim() !== approval.environment) {
        throw new ValidationError(`type the environment's name, ${approval.environment}, to approve`);
      }
    }
    if (input.decision === 'reject' && !comment) throw new ValidationError('a rejection needs a comment: the reason');
    const decided = await approvals.decideApproval(approval.approvalId, {
      decision: input.decision,
      by: input.by,
      at: clock.now().toISOString(),
      ...(comment ? { comment } : {}),
    });
    // The decision is recorded; the waiting workflow must hear it, so a busy Step Functions is retried.
    await withRetries(() =>
      input.decision === 'approve'
        ? workflows.sendTaskSuccess(approval.taskToken, { decision: 'approve', by: input.by, ...(comment ? { comment } : {}) } satisfies ApprovedOutput)
        : workflows.sendTaskFailure(approval.taskToken, WORKFLOW_ERRORS.rejected, JSON.stringify({ by: input.by, comment })),
    );
    return decided;
  }

  /**
   * A newer release of a repository x environment supersedes older ones still waiting for a person: their
   * approvals close (links stop working), their releases end `superseded`, their workflows are told.
   */
  async supersedeWaiting(repository: string, environment: string, newerReleaseId: string): Promise<string[]> {
    const { releases, approvals, workflows, clock } = this.deps;
    const board = await releases.board();
    const superseded: string[] = [];
    for (const pending of board.pendingApprovals) {
      // Only older releases give way: a late call for an older request must not close a newer one's approval.
      if (pending.repository !== repository || pending.environment !== environment || pending.releaseId >= newerReleaseId) continue;
      const at = clock.now().toISOString();
      const closed = await approvals.closeApproval(pending.id, 'superseded', at);
      if (closed?.status !== 'superseded') continue;
      try {
        await releases.transitionRelease(pending.releaseId, 'superseded', { by: 'system', at, detail: `superseded by release ${newerReleaseId}` });
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
      }
      await workflows.sendTaskFailure(closed.taskToken, WORKFLOW_ERRORS.superseded, JSON.stringify({ by: newerReleaseId }));
      superseded.push(pending.releaseId);
    }
    return superseded;
  }
}

/** Tries again, with backoff, while the error says a retry may help. */
async function withRetries(call: () => Promise<void>, delaysMs: readonly number[] = [200, 800, 2000]): Promise<void> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      const delay = delaysMs[attempt];
      if (!(error instanceof DomainError && error.retryable) || delay === undefined) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/** The most an approval's links expire before its Task's timeout (a tenth of the timeout when shorter). */
const LINK_MARGIN_MS = 60_000;

/**
 * When the Task waiting for an approval times out, from what the CMDB stored: its expiry plus the margin
 * `request` took off (`min(60 s, timeout / 10)`; with `expiresAt - createdAt = timeout - margin`, that
 * margin is `min(60 s, (expiresAt - createdAt) / 9)`). Local mode resumes a wait after a restart until
 * this deadline, never for a whole new timeout.
 */
export function waitDeadline(approval: Pick<Approval, 'createdAt' | 'expiresAt'>): Date {
  const expiresAt = Date.parse(approval.expiresAt);
  return new Date(expiresAt + Math.min(LINK_MARGIN_MS, Math.max(0, expiresAt - Date.parse(approval.createdAt)) / 9));
}

/** Why an approval can no longer be decided, in words for the person who tried. */
export function describeClosed(approval: Approval, at: string): string {
  if (approval.status === 'pending' && approval.expiresAt <= at) return `this approval expired at ${approval.expiresAt}`;
  if (approval.status === 'approved' || approval.status === 'rejected') {
    return `already ${approval.status} by ${approval.decidedBy} at ${approval.decidedAt}`;
  }
  return `this approval was closed: ${approval.status} at ${approval.decidedAt}`;
}
