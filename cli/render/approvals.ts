import type { PendingApproval } from '../api-types';
import type { RenderOptions } from './options';
import { styleFor } from './style';
import { renderTable } from './table';
import { formatAge, shortSha } from './time';

/** The decisions people owe, one row each; the id is what `cot approve` takes. */
export function renderPendingApprovals(approvals: readonly PendingApproval[], options: RenderOptions & { indent?: string }): string {
  const style = styleFor(options.color);
  if (approvals.length === 0) return `${options.indent ?? ''}none\n`;
  return renderTable(
    approvals.map((approval) => [
      style.bold(approval.id),
      approvalSubject(approval),
      approval.environment,
      shortSha(approval.commit),
      approval.gate,
      formatAge(approval.expiresAt, options.now),
    ]),
    { header: ['id', 'repository', 'environment', 'commit', 'gate', 'expires'].map(style.dim), indent: options.indent },
  );
}

/** What an approval is for: its repository, or for a promotion (docs/architecture.md#promotions) the product. */
export function approvalSubject(approval: Pick<PendingApproval, 'repository' | 'members'>): string {
  if (approval.repository !== PROMOTION_REPOSITORY) return approval.repository;
  return approval.members === undefined ? 'product' : `product (${approval.members} ${approval.members === 1 ? 'repository' : 'repositories'})`;
}

/** A promotion's record and its approvals have this `repository` and an empty commit. */
export const PROMOTION_REPOSITORY = '*';

/** `cot approvals`: the list and how to act on it. */
export function renderApprovals(approvals: readonly PendingApproval[], options: RenderOptions): string {
  if (approvals.length === 0) return 'No pending approvals.\n';
  const first = approvals[0]?.id ?? '<id>';
  return `${renderPendingApprovals(approvals, options)}\nDecide with: cot approve ${first} [--comment ...] | cot reject ${first} --comment <reason>\n`;
}
