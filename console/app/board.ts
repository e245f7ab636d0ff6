/// <reference lib="dom" />
import type { ConsoleBoard, ConsoleCell } from '../../core/console-views';
import { el, type Child } from './dom';
import { gateWord, shortSha } from './format';
import { commitLine, heldBadge, stateBadge, when } from './parts';

export const cellHref = (repository: string, environment: string): string => `#/cell/${encodeURIComponent(repository)}/${encodeURIComponent(environment)}`;

/**
 * Rows of the board besides the repositories (a product's promotion, once the API has it): each takes
 * the board and gives `<tr>`s under the same columns. The repositories' rows come first.
 */
export const EXTRA_ROWS: Array<(board: ConsoleBoard) => HTMLTableRowElement[]> = [];

/** Panels under the board (the metrics chart, once the API has it). */
export const BOARD_PANELS: Array<(board: ConsoleBoard) => Child> = [];

/** The board: environments as columns, repositories as rows, then the approvals waiting for a person. */
export function boardView(board: ConsoleBoard): HTMLElement {
  const header = el('tr', {}, el('th', { scope: 'col' }, 'Repository'), board.environments.map((env) => el('th', { scope: 'col' }, env.name, el('span', { class: 'mode muted' }, env.mode))));
  const rows = board.repositories.map((repository) =>
    el(
      'tr',
      {},
      el('th', { scope: 'row' }, el('a', { href: repository.url, rel: 'noreferrer noopener' }, repository.name)),
      board.environments.map((env) => cellView(board, repository.name, env.name, repository.environments[env.name] ?? null)),
    ),
  );
  return el(
    'div',
    {},
    el('h1', {}, `${board.product}: releases`),
    el('table', { class: 'board' }, el('caption', { class: 'visually-hidden' }, 'What runs where: repositories by environment'), el('thead', {}, header), el('tbody', {}, rows, EXTRA_ROWS.flatMap((rowsOf) => rowsOf(board)))),
    pendingList(board),
    BOARD_PANELS.map((panel) => panel(board)),
  );
}

function cellView(board: ConsoleBoard, repository: string, environment: string, cell: ConsoleCell | null): HTMLTableCellElement {
  const pending = board.pendingApprovals.filter((approval) => approval.repository === repository && approval.environment === environment);
  const open = el('a', { href: cellHref(repository, environment), class: 'open' }, 'Open', el('span', { class: 'visually-hidden' }, ` ${repository} in ${environment}`), ': history and actions');
  if (!cell) return el('td', { 'data-label': environment, class: 'cell', 'data-state': 'empty' }, el('div', { class: 'muted' }, 'nothing deployed yet'), open);
  return el(
    'td',
    { 'data-label': environment, class: `cell`, 'data-state': cell.state ?? 'none' },
    el('div', { class: 'cell-top' }, stateBadge(cell.state), cell.held ? heldBadge() : null, when(cell.updatedAt)),
    commitLine(cell.running),
    cell.acceptedCommit && cell.acceptedCommit !== cell.commit ? el('div', { class: 'muted small' }, `last accepted ${shortSha(cell.acceptedCommit)}`) : null,
    pending.map((approval) => el('div', { class: 'pending' }, `waiting: ${gateWord(approval.gate)} of ${shortSha(approval.commit)}, expires `, when(approval.expiresAt))),
    open,
  );
}

function pendingList(board: ConsoleBoard): HTMLElement {
  return el(
    'section',
    { class: 'pending-list', 'aria-labelledby': 'pending-title' },
    el('h2', { id: 'pending-title' }, 'Waiting for a decision'),
    board.pendingApprovals.length === 0
      ? el('p', { class: 'muted' }, 'No approval is waiting.')
      : el(
          'ul',
          {},
          board.pendingApprovals.map((approval) =>
            el(
              'li',
              {},
              // A promotion's approval (repository `*`, no commit) is decided on the product's page.
              approval.repository === '*'
                ? el('a', { href: `#/product/${encodeURIComponent(approval.environment)}` }, `${board.product} promotion → ${approval.environment}`)
                : el('a', { href: cellHref(approval.repository, approval.environment) }, `${approval.repository} ${shortSha(approval.commit)} → ${approval.environment}`),
              ` (${gateWord(approval.gate)}), expires `,
              when(approval.expiresAt),
            ),
          ),
        ),
  );
}
