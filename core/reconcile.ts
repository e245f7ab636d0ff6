import type { ApprovalStore, LeaseStore, ReleaseStore } from './cmdb-stores';
import { ConflictError } from './errors';
import { releaseIdFor } from './ids';
import type { Clock } from './ports';
import { isPromotion, type PromotionStore } from './promotions';
import { isTerminal } from './release-lifecycle';

/** How an execution ended without its own Catch recording it (docs/architecture.md#reconciliation). */
export type UnhandledEnd = 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface EndedExecution {
  readonly name: string;
  /** ISO 8601: with the name, it gives a continuous run's release id. */
  readonly startDate: string;
  /** The execution's input: a promotion's carries its release id. */
  readonly input: unknown;
  readonly status: UnhandledEnd;
  readonly cause?: string;
}

/**
 * Closes what a workflow left open when it ended outside its own Catch — a timed-out or stopped
 * execution, a bug in a step: the release becomes `failed` with the reason, its deploy lease is given
 * back and its pending approvals are closed, so nothing waits for hours on a run that is gone. A run
 * that recorded its own end is left as it is; doing this twice changes nothing.
 */
export class Reconciler {
  constructor(
    private readonly deps: {
      readonly releases: ReleaseStore;
      readonly leases: LeaseStore;
      readonly approvals: ApprovalStore;
      readonly promotions: PromotionStore;
      readonly clock: Clock;
    },
  ) {}

  async executionEnded(execution: EndedExecution): Promise<{ releaseId: string; closed: boolean }> {
    const { releases, leases, approvals, promotions, clock } = this.deps;
    const releaseId = releaseIdOf(execution);
    const release = await releases.getRelease(releaseId);
    if (!release) return { releaseId, closed: false };
    const at = clock.now().toISOString();
    if (!isPromotion(release)) await leases.releaseLease(release.repository, release.environment, releaseId);
    for (const pending of (await releases.board()).pendingApprovals.filter((approval) => approval.releaseId === releaseId)) {
      await approvals.closeApproval(pending.id, 'expired', at);
    }
    const message = `the workflow ${execution.status.toLowerCase().replace('_', ' ')}${execution.cause ? `: ${execution.cause.slice(0, 500)}` : ''}`;
    // A promotion's members (docs/architecture.md#promotions) were cut off with it: their leases back, each failed.
    for (const member of release.members ?? []) {
      await leases.releaseLease(member.repository, release.environment, member.releaseId);
      const open = await releases.getRelease(member.releaseId);
      if (open && !isTerminal(open.state)) {
        await releases.transitionRelease(member.releaseId, 'failed', { by: 'system', at, detail: message, failure: { step: 'workflow', message } }).catch(() => undefined);
      }
    }
    if (isTerminal(release.state)) return { releaseId, closed: false };
    // A promotion's own record has no board cell: it moves through the promotion store.
    const fail = isPromotion(release) ? promotions.transitionPromotion.bind(promotions) : releases.transitionRelease.bind(releases);
    try {
      await fail(releaseId, 'failed', { by: 'system', at, detail: message, failure: { step: 'workflow', message } });
    } catch (error) {
      // Its own last step got there first: nothing left open.
      if (!(error instanceof ConflictError)) throw error;
      return { releaseId, closed: false };
    }
    return { releaseId, closed: true };
  }
}

/** A promotion's input names its release; a continuous run's release id follows from the execution. */
function releaseIdOf(execution: EndedExecution): string {
  const input = execution.input as { releaseId?: unknown } | null;
  if (input && typeof input === 'object' && typeof input.releaseId === 'string') return input.releaseId;
  return releaseIdFor(new Date(execution.startDate), execution.name);
}
