/// <reference lib="dom" />
import type { ConsoleBoard, ConsoleProductEnvironment } from '../../core/console-views';
import { ApiError, type ConsoleApi } from './api';
import { decisionPanel } from './decision';
import { el, replace, type Child } from './dom';
import { gateWord } from './format';
import { overrideField } from './freeze';
import { commitLink, when } from './parts';

/*
 * The product's row of the board and its page (docs/console.md#the-product-row): per environment the
 * accepted set (the promotion that made it, and when), the changes waiting in the environment below with
 * the commit each would bring, and the actions: promote them together, roll the last promotion back,
 * decide a promotion's approval.
 */

export const productHref = (environment: string): string => `#/product/${encodeURIComponent(environment)}`;

/** What a product cell keeps across the board's redraws: its last answer and a freeze override being typed. */
interface CellMemory {
  readonly notice: HTMLElement;
  readonly freeze: ReturnType<typeof overrideField>;
}

const memory = new Map<string, CellMemory>();

function remembered(environment: string): CellMemory {
  let found = memory.get(environment);
  if (!found) {
    found = { notice: el('div', { role: 'status' }), freeze: overrideField(`promote-override-${environment}`) };
    memory.set(environment, found);
  }
  return found;
}

/** Runs an action and writes how it went into `notice`, then asks for the board again. */
export async function runAction(notice: HTMLElement, refresh: () => void, action: () => Promise<string>): Promise<void> {
  try {
    replace(notice, el('p', { class: 'done' }, await action()));
  } catch (error) {
    replace(notice, el('p', { class: 'alert', role: 'alert' }, error instanceof ApiError || error instanceof Error ? error.message : String(error)));
  }
  refresh();
}

const changes = (count: number): string => `${count} change${count === 1 ? '' : 's'} waiting`;

/** The board's product row; none for a product of one repository. */
export function productRows(board: ConsoleBoard, api: ConsoleApi, refresh: () => void): HTMLTableRowElement[] {
  const row = board.productRow;
  if (!row) return [];
  return [
    el(
      'tr',
      { class: 'product-row' },
      el('th', { scope: 'row' }, el('span', { class: 'muted small' }, 'product'), el('br'), row.name),
      board.environments.map((env, index) => {
        const view = row.environments[env.name];
        // Promotions go to approval environments: a continuous one takes every push of its branch.
        if (env.mode === 'continuous' || !view) return el('td', { 'data-label': env.name, class: 'cell product' }, el('div', { class: 'muted small' }, 'each push, repository by repository'));
        return productCell(board, env, view, index > 0, api, refresh);
      }),
    ),
  ];
}

function productCell(board: ConsoleBoard, env: ConsoleBoard['environments'][number], view: ConsoleProductEnvironment, hasBelow: boolean, api: ConsoleApi, refresh: () => void): HTMLTableCellElement {
  const { rights } = board.me;
  const cell = remembered(env.name);
  const pending = board.pendingApprovals.filter((approval) => approval.repository === '*' && approval.environment === env.name);
  const forms: Child[] = [];
  if (env.mode === 'approval' && rights.promote && view.changesWaiting > 0) {
    const repositories = view.candidates.map((candidate) => candidate.repository);
    const promote = (event: Event) => {
      event.preventDefault();
      void runAction(cell.notice, refresh, async () => {
        const answer = await cell.freeze.send((override) => api.post<{ releaseId: string; members: Array<{ repository: string }> }>('promotions', { environment: env.name, repositories, ...override }));
        return `Promotion ${answer.releaseId} of ${answer.members.map((member) => member.repository).join(', ')} started.`;
      });
    };
    forms.push(el('form', { class: 'promote', onsubmit: promote }, cell.freeze.field, el('button', { type: 'submit' }, `Promote to ${env.name}`)));
  }
  if (env.mode === 'approval' && rights.rollback && view.releaseId) {
    const rollback = () =>
      void runAction(cell.notice, refresh, async () => `Rollback ${(await api.post<{ releaseId: string }>('rollbacks', { environment: env.name })).releaseId} of the last promotion started.`);
    forms.push(el('button', { type: 'button', class: 'reject small-button', onclick: rollback }, `Roll back the last promotion in ${env.name}`));
  }
  return el(
    'td',
    { 'data-label': env.name, class: 'cell product', 'data-changes': view.changesWaiting },
    acceptedSet(view),
    view.changesWaiting > 0
      ? el(
          'div',
          { class: 'waiting' },
          el('strong', {}, changes(view.changesWaiting)),
          el('ul', { class: 'members' }, view.candidates.map((candidate) => el('li', {}, candidate.repository, ' ', commitLink(candidate.commit)))),
        )
      : hasBelow
        ? el('div', { class: 'muted small' }, 'no change waiting below')
        : null,
    pending.map((approval) => el('div', { class: 'pending' }, `waiting: ${gateWord(approval.gate)} of the promotion, expires `, when(approval.expiresAt), ' ', el('a', { href: productHref(env.name) }, 'Decide'))),
    forms,
    cell.notice,
  );
}

function acceptedSet(view: ConsoleProductEnvironment): HTMLElement {
  if (!view.releaseId) return el('div', { class: 'muted small' }, 'no promotion accepted yet');
  return el(
    'div',
    { class: 'cell-top' },
    el('span', { class: 'badge tone-ok' }, 'accepted set'),
    view.acceptedAt ? when(view.acceptedAt) : null,
    el('a', { href: `#/release/${encodeURIComponent(view.releaseId)}`, class: 'small' }, 'promotion ', el('code', {}, view.releaseId.slice(-8))),
  );
}

/**
 * The product in one environment (`#/product/<environment>`): its accepted set, what waits below, and
 * each promotion approval waiting there with the form to decide it.
 */
export class ProductPage {
  private readonly title = el('h1', {});
  private readonly notice = el('div', { class: 'notice', role: 'status' });
  private readonly summary = el('section', { class: 'summary', 'aria-label': 'The accepted set' });
  private readonly decision = el('section', { class: 'decision' });
  private drawnDecision = '';
  readonly root: HTMLElement;

  constructor(
    private readonly api: ConsoleApi,
    private readonly environment: string,
    private readonly refresh: () => void,
  ) {
    this.root = el('div', {}, el('p', {}, el('a', { href: '#/' }, '← Board')), this.title, this.notice, this.decision, this.summary);
  }

  update(board: ConsoleBoard): void {
    const view = board.productRow?.environments[this.environment];
    this.title.textContent = `${board.product} in ${this.environment}`;
    if (!view) {
      replace(this.summary, el('p', { role: 'alert' }, `The product has no row in ${this.environment}.`));
      return;
    }
    replace(
      this.summary,
      el('h2', {}, 'Accepted set'),
      acceptedSet(view),
      el('h2', {}, view.changesWaiting > 0 ? changes(view.changesWaiting) : 'No change waiting below'),
      el('ul', { class: 'members' }, view.candidates.map((candidate) => el('li', {}, candidate.repository, ' ', commitLink(candidate.commit)))),
    );
    const pending = board.pendingApprovals.filter((approval) => approval.repository === '*' && approval.environment === this.environment);
    const mayDecide = board.me.rights.decide.includes(this.environment);
    const key = JSON.stringify([pending.map((approval) => approval.id), mayDecide]);
    if (key === this.drawnDecision) return;
    this.drawnDecision = key;
    replace(
      this.decision,
      pending.map((approval) =>
        decisionPanel(this.api, approval, {
          what: ['the promotion ', el('a', { href: `#/release/${encodeURIComponent(approval.releaseId)}` }, el('code', {}, approval.releaseId))],
          facts: 'Its members and their changes are listed in the approval email and on the promotion\'s page.',
          mayDecide,
          act: (decide) => runAction(this.notice, this.refresh, decide),
        }),
      ),
      pending.length === 0 ? el('p', { class: 'muted' }, 'No promotion waits for a decision here.') : null,
    );
  }
}
