import type { ApiClient } from './api-client';
import { readAnswer, Release, type PendingApproval } from './api-types';
import { PROMOTION_REPOSITORY } from './render/approvals';

/**
 * A promotion's pending approval names no repository (`*`, docs/architecture.md#promotions): each one gets
 * its member count from the promotion's release, so it reads as the product. A release that cannot be read
 * leaves its approval as it was (it still renders as the product).
 */
export async function withMemberCounts(client: ApiClient, approvals: readonly PendingApproval[]): Promise<PendingApproval[]> {
  return Promise.all(
    approvals.map(async (approval) => {
      if (approval.repository !== PROMOTION_REPOSITORY || !approval.releaseId) return approval;
      try {
        const release = readAnswer(Release, await client.getRelease(approval.releaseId), `GET /api/releases/${approval.releaseId}`);
        return release.members ? { ...approval, members: release.members.length } : approval;
      } catch {
        return approval;
      }
    }),
  );
}
