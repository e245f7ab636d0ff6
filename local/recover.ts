import { waitDeadline } from '../core/approvals';
import type { LocalWiring } from './local-wiring';
import type { Actor, Failure, Release } from '../core/cmdb';
import type { ReleaseStore } from '../core/cmdb-stores';
import { isPromotion, type PromotionStore } from '../core/promotions';
import { isTerminal, type ReleaseState } from '../core/release-lifecycle';

/** A run in these states was working when local mode stopped; nothing will finish it. */
const INTERRUPTED: readonly ReleaseState[] = ['prepared', 'building', 'deploying', 'testing'];

/**
 * After a restart on the same data folder: every release that was waiting for a person waits again at its
 * gate (same approval, links still valid, a new task token) until the deadline it had before, never for a
 * whole new timeout; an approval whose time ran out expires; a run
 * cut off mid-step is recorded as failed and its deploy lease given back. Returns how many waits resumed.
 */
export async function recoverAfterRestart(wiring: Pick<LocalWiring, 'stores' | 'workflows'>, say: (line: string) => void): Promise<number> {
  const { stores: { releases, approvals, leases, promotions }, workflows } = wiring;
  const now = new Date();
  const board = await releases.board();
  let resumed = 0;
  for (const pending of board.pendingApprovals) {
    const waiting = await releases.getRelease(pending.releaseId);
    if (!waiting || (waiting.kind !== 'release' && waiting.kind !== 'rollback')) continue;
    if (new Date(pending.expiresAt) <= now) {
      await approvals.closeApproval(pending.id, 'expired', now.toISOString());
      await endRun({ releases, promotions }, waiting, 'expired', { by: 'system', at: now.toISOString(), detail: 'expired while local mode was stopped' });
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
    // A member's promotion was cut off with it (docs/architecture.md#promotions), and its other members.
    const promotion = interrupted.promotionId ? await releases.getRelease(interrupted.promotionId) : undefined;
    if (promotion) await endRun({ releases, promotions }, promotion, 'failed', { by: 'system', at: now.toISOString(), detail, failure: { step: 'workflow', message: detail } });
    say(`${run.repository}  ${run.environment}  release ${run.releaseId} ${detail}`);
  }
  return resumed;
}

/**
 * Ends a run left open: a promotion's own record through the promotion store (it has no board cell), then
 * each of its members still open; a release of one repository through the release store. A move someone
 * made first is left as it is.
 */
async function endRun(
  stores: { releases: ReleaseStore; promotions: PromotionStore },
  run: Release,
  to: ReleaseState,
  change: Actor & { detail: string; failure?: Failure },
): Promise<void> {
  const { releases, promotions } = stores;
  if (!isPromotion(run)) {
    await releases.transitionRelease(run.releaseId, to, change).catch(() => undefined);
    return;
  }
  if (!isTerminal(run.state)) await promotions.transitionPromotion(run.releaseId, to, change).catch(() => undefined);
  for (const member of run.members ?? []) {
    const open = await releases.getRelease(member.releaseId);
    if (open && !isTerminal(open.state)) await releases.transitionRelease(member.releaseId, to, change).catch(() => undefined);
  }
}
