import { waitDeadline } from '../core/approvals';
import type { LocalWiring } from './local-wiring';
import type { ReleaseState } from '../core/release-lifecycle';

/** A run in these states was working when local mode stopped; nothing will finish it. */
const INTERRUPTED: readonly ReleaseState[] = ['prepared', 'building', 'deploying', 'testing'];

/**
 * After a restart on the same data folder: every release that was waiting for a person waits again at its
 * gate (same approval, links still valid, a new task token) until the deadline it had before, never for a
 * whole new timeout; an approval whose time ran out expires; a run
 * cut off mid-step is recorded as failed and its deploy lease given back. Returns how many waits resumed.
 */
export async function recoverAfterRestart(wiring: Pick<LocalWiring, 'stores' | 'workflows'>, say: (line: string) => void): Promise<number> {
  const { stores: { releases, approvals, leases }, workflows } = wiring;
  const now = new Date();
  const board = await releases.board();
  let resumed = 0;
  for (const pending of board.pendingApprovals) {
    const waiting = await releases.getRelease(pending.releaseId);
    if (!waiting || (waiting.kind !== 'release' && waiting.kind !== 'rollback')) continue;
    if (new Date(pending.expiresAt) <= now) {
      await approvals.closeApproval(pending.id, 'expired', now.toISOString());
      await releases.transitionRelease(waiting.releaseId, 'expired', { by: 'system', at: now.toISOString(), detail: 'expired while local mode was stopped' }).catch(() => undefined);
      say(`${waiting.repository}  ${waiting.commit.slice(0, 7)}  ${waiting.environment}  approval expired while local mode was stopped`);
      continue;
    }
    const approval = await approvals.getApproval(pending.id);
    if (!approval) continue;
    const common = { releaseId: waiting.releaseId, environment: waiting.environment, kind: waiting.kind, requestedBy: waiting.requestedBy, resumeAt: pending.gate };
    // A promotion of several repositories waits again on its own path (docs/architecture.md#promotions).
    await workflows.resumePromotion(
      waiting.members ? { ...common, product: true } : { ...common, repository: waiting.repository, commit: waiting.commit },
      `${waiting.releaseId}-resumed-${now.getTime()}`,
      waitDeadline(approval),
    );
    resumed += 1;
  }
  // The newest run of each cell, and whoever holds a cell's deploy lease (an older run may), were cut off.
  const cutOff = new Map<string, { repository: string; environment: string; releaseId: string }>();
  for (const entry of board.entries) {
    if (entry.releaseId) cutOff.set(entry.releaseId, { repository: entry.repository, environment: entry.environment, releaseId: entry.releaseId });
    const holder = await leases.leaseHolder(entry.repository, entry.environment);
    if (holder) cutOff.set(holder, { repository: entry.repository, environment: entry.environment, releaseId: holder });
  }
  for (const run of cutOff.values()) {
    const interrupted = await releases.getRelease(run.releaseId);
    await leases.releaseLease(run.repository, run.environment, run.releaseId);
    if (!interrupted || !INTERRUPTED.includes(interrupted.state)) continue;
    const detail = 'interrupted: local mode stopped while it ran';
    await releases
      .transitionRelease(run.releaseId, 'failed', { by: 'system', at: now.toISOString(), detail, failure: { step: 'workflow', message: detail } })
      .catch(() => undefined);
    // A member's promotion was cut off with it (docs/architecture.md#promotions).
    if (interrupted.promotionId) {
      await releases
        .transitionRelease(interrupted.promotionId, 'failed', { by: 'system', at: now.toISOString(), detail, failure: { step: 'workflow', message: detail } })
        .catch(() => undefined);
    }
    say(`${run.repository}  ${run.environment}  release ${run.releaseId} ${detail}`);
  }
  return resumed;
}
