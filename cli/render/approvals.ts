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
      approval.repository,
      approval.environment,
      shortSha(approval.commit),
      approval.gate,
      formatAge(approval.expiresAt, options.now),
    ]),
    { header: ['id', 'repository', 'environment', 'commit', 'gate', 'expires'].map(style.dim), indent: options.indent },
  );
}

/** `cot approvals`: the list and how to act on it. */
export function renderApprovals(approvals: readonly PendingApproval[], options: RenderOptions): string {
  if (approvals.length === 0) return 'No pending approvals.\n';
  const first = approvals[0]?.id ?? '<id>';
  return `${renderPendingApprovals(approvals, options)}\nDecide with: cot approve ${first} [--comment ...] | cot reject ${first} --comment <reason>\n`;
}
