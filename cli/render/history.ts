import type { ApprovalRecord, HistoryPage } from '../api-types';
import type { RenderOptions } from './options';
import { styleFor, styleState } from './style';
import { renderTable } from './table';
import { formatDateTime, shortSha } from './time';

/** Deployments newest first, as the API pages them; the cursor line tells how to read on. */
export function renderHistory(page: HistoryPage, options: RenderOptions): string {
  const style = styleFor(options.color);
  const text =
    page.items.length === 0
      ? 'No deployments.\n'
      : renderTable(
          page.items.map((item) => [
            shortSha(item.commit),
            item.kind,
            styleState(item.state, style),
            formatDateTime(item.startedAt, options.timeZone),
            formatDateTime(item.finishedAt, options.timeZone),
            summarizeApprovals(item.approvals) + (item.freezeOverride ? `; freeze overridden by ${item.freezeOverride.by ?? '?'}: ${item.freezeOverride.reason}` : ''),
            style.dim(item.releaseId ?? '-'),
          ]),
          { header: ['commit', 'kind', 'state', 'started', 'finished', 'approvals', 'release'].map(style.dim) },
        );
  return page.cursor ? `${text}more: --cursor ${shellWord(page.cursor)}\n` : text;
}

const DECIDED: Readonly<Record<string, string>> = { approve: 'approved', reject: 'rejected' };

/** "accept: approved by qa@example.com", one per decision, "-" when nobody was asked. */
export function summarizeApprovals(approvals: readonly ApprovalRecord[]): string {
  if (approvals.length === 0) return '-';
  return approvals
    .map((approval) => `${approval.gate}: ${DECIDED[approval.decision] ?? approval.decision}${approval.by ? ` by ${approval.by}` : ''}`)
    .join('; ');
}

/** Cursors are opaque: quote one that a shell would otherwise split or expand. */
function shellWord(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}
