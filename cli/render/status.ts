import type { BoardCell, Status } from '../api-types';
import { renderPendingApprovals } from './approvals';
import type { RenderOptions } from './options';
import { styleFor, styleState, type Style } from './style';
import { renderTable } from './table';
import { formatAge, shortSha } from './time';

/**
 * The board: one row per repository, one column per environment (lowest first), then the pending
 * approvals. A cell reads "<commit> <state>", then its age, "held" when a rollback holds it, and the
 * last accepted commit when it differs from the running one.
 */
export function renderStatus(status: Status, options: RenderOptions): string {
  const style = styleFor(options.color);
  let text: string;
  if (status.repositories.length === 0) text = 'No repositories.\n';
  else {
    text = renderTable(
      status.repositories.map((repository) => [
        style.bold(repository.name),
        ...status.environments.map((environment) => renderCell(repository.environments[environment] ?? null, style, options.now)),
      ]).concat(status.product ? [productRow(status.product, status.environments, style, options.now)] : []),
      { header: ['repository', ...status.environments].map(style.dim) },
    );
  }
  return `${text}\n${style.bold('Pending approvals')}\n${renderPendingApprovals(status.pendingApprovals, { ...options, indent: '  ' })}`;
}

function renderCell(cell: BoardCell | null, style: Style, now: Date): string {
  if (cell === null) return style.dim('-');
  const first = [shortSha(cell.commit), cell.state ? styleState(cell.state, style) : undefined].filter(Boolean).join(' ');
  const second = [formatAge(cell.updatedAt, now), cell.held ? style.yellow('held') : undefined].filter(Boolean).join(' ');
  const lines = [first, second];
  if (cell.acceptedCommit && cell.acceptedCommit !== cell.commit) lines.push(style.dim(`last accepted ${shortSha(cell.acceptedCommit)}`));
  return lines.join('\n');
}

/**
 * The product's row: per environment, the promotion that made its accepted set and when, and how many
 * repositories have a commit accepted below that does not run there yet ("2 changes waiting").
 */
function productRow(product: NonNullable<Status['product']>, environments: readonly string[], style: Style, now: Date): string[] {
  return [
    style.bold(`${product.name} (product)`),
    ...environments.map((environment) => {
      const set = product.environments[environment];
      if (!set) return style.dim('-');
      const made = set.releaseId ? `${set.releaseId} ${set.acceptedAt ? formatAge(set.acceptedAt, now) : ''}`.trim() : style.dim('no promotion yet');
      const count = set.changesWaiting ?? set.waiting.length;
      const waiting = count > 0 ? style.yellow(`${count} change${count === 1 ? '' : 's'} waiting (${set.waiting.join(', ')})`) : style.dim('nothing waiting');
      return `${made}\n${waiting}`;
    }),
  ];
}
