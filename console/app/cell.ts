/// <reference lib="dom" />
import type { Candidate, ConsoleBoard, ConsoleHistoryItem } from '../../core/console-views';
import { ApiError, path, type ConsoleApi } from './api';
import { decisionPanel, type Pending } from './decision';
import { overrideField } from './freeze';
import { el, replace, type Child } from './dom';
import { exact, gateWord, shortSha, subject } from './format';
import { commitLine, commitLink, heldBadge, logLink, stateBadge, when } from './parts';


/**
 * One repository in one environment: what runs there, the approval waiting there (decided by typing the
 * environment's name, as on the emailed page), the actions the signed-in person may take, and the
 * history, newest first, page by page. Sections are redrawn only when what they show changed, so a
 * form being filled in is not wiped by the refresh.
 */
export class CellPage {
  private readonly summary = el('section', { class: 'summary', 'aria-label': 'Running now' });
  private readonly decision = el('section', { class: 'decision' });
  private readonly actions = el('section', { class: 'actions' });
  private readonly history = el('section', { class: 'history', 'aria-labelledby': 'history-title' });
  private readonly notice = el('div', { class: 'notice', role: 'status' });
  private readonly drawn = new Map<string, string>();
  readonly root: HTMLElement;

  constructor(
    private readonly api: ConsoleApi,
    private readonly repository: string,
    private readonly environment: string,
    /** Asks for the board again now (after an action). */
    private readonly refresh: () => void,
  ) {
    this.root = el(
      'div',
      {},
      el('p', {}, el('a', { href: '#/' }, '← Board')),
      el('h1', {}, `${repository} in ${environment}`),
      this.notice,
      this.summary,
      this.decision,
      this.actions,
      this.history,
    );
  }

  update(board: ConsoleBoard): void {
    const row = board.repositories.find((candidate) => candidate.name === this.repository);
    const env = board.environments.find((candidate) => candidate.name === this.environment);
    if (!row || !env) {
      replace(this.summary, el('p', { role: 'alert' }, `${this.repository} in ${this.environment} is not on the board.`));
      return;
    }
    const cell = row.environments[this.environment] ?? null;
    const pending = board.pendingApprovals.filter((approval) => approval.repository === this.repository && approval.environment === this.environment);
    const { rights } = board.me;
    replace(
      this.summary,
      cell
        ? [
            el('div', { class: 'cell-top' }, stateBadge(cell.state), cell.held ? heldBadge() : null, 'updated ', when(cell.updatedAt)),
            commitLine(cell.running),
            cell.acceptedCommit && cell.acceptedCommit !== cell.commit ? el('p', { class: 'muted' }, 'Last accepted here: ', commitLink(cell.accepted)) : null,
            cell.releaseId ? el('p', {}, el('a', { href: `#/release/${encodeURIComponent(cell.releaseId)}` }, 'The latest release and its steps')) : null,
          ]
        : el('p', { class: 'muted' }, 'Nothing was deployed here yet.'),
    );
    this.draw('decision', JSON.stringify([pending.map((approval) => approval.id), rights.decide]), () => this.drawDecision(pending, rights.decide.includes(this.environment)));
    const actionKey = JSON.stringify([cell?.commit, cell?.acceptedCommit, cell?.held, cell?.state, rights]);
    this.draw('actions', actionKey, () => void this.drawActions(env.mode, cell?.held ?? false, rights));
    this.draw('history', JSON.stringify([cell?.updatedAt, cell?.state]), () => void this.loadHistory());
  }

  private draw(section: string, key: string, render: () => void): void {
    if (this.drawn.get(section) === key) return;
    this.drawn.set(section, key);
    render();
  }

  private say(message: string, failed = false): void {
    replace(this.notice, message ? el('p', { class: failed ? 'alert' : 'done', role: failed ? 'alert' : undefined }, message) : null);
  }

  /** Runs an action, says how it went, and refreshes the board. */
  private async act(what: () => Promise<string>): Promise<void> {
    try {
      this.say(await what());
    } catch (error) {
      this.say(error instanceof ApiError || error instanceof Error ? error.message : String(error), true);
    }
    this.refresh();
  }

  private drawDecision(pending: Pending[], mayDecide: boolean): void {
    replace(
      this.decision,
      pending.map((approval) =>
        decisionPanel(this.api, approval, { what: commitLink(approval.commitView), facts: subject(approval.commitView.message), mayDecide, act: (decide) => this.act(decide) }),
      ),
    );
  }

  private async drawActions(mode: 'continuous' | 'approval', held: boolean, rights: ConsoleBoard['me']['rights']): Promise<void> {
    if (!rights.release && !rights.rollback && !rights.resume) {
      replace(this.actions);
      return;
    }
    let candidates: { release: Candidate[]; rollback: Candidate[] };
    try {
      candidates = await this.api.get(`candidates/${path(this.repository, this.environment)}`);
    } catch (error) {
      replace(this.actions, el('p', { role: 'alert' }, error instanceof Error ? error.message : String(error)));
      return;
    }
    const cell = { repository: this.repository, environment: this.environment };
    const option = (candidate: Candidate) => el('option', { value: candidate.commit.sha }, `${shortSha(candidate.commit.sha)} ${subject(candidate.commit.message)} (accepted ${exact(candidate.acceptedAt)})`);
    const forms: HTMLElement[] = [];
    if (rights.release && mode === 'approval') {
      const picker = el('select', { id: 'release-ref' }, candidates.release.map(option));
      const freeze = overrideField('release-override');
      forms.push(
        this.actionForm(
          'Release',
          async () => `Release ${(await freeze.send((override) => this.api.post<{ releaseId: string }>('releases', { ...cell, ref: picker.value, ...override }))).releaseId} started.`,
          candidates.release.length === 0
            ? el('p', { class: 'muted' }, 'No commit is accepted in the environment below yet.')
            : [el('label', { for: 'release-ref' }, 'Commit accepted below, newest first'), picker, freeze.field, el('button', { type: 'submit' }, `Release to ${this.environment}`)],
        ),
      );
    }
    if (rights.rollback) {
      const picker = el('select', { id: 'rollback-to' }, el('option', { value: '' }, 'The previous accepted commit'), candidates.rollback.map(option));
      forms.push(
        this.actionForm(
          'Roll back',
          async () => `Rollback ${(await this.api.post<{ releaseId: string }>('rollbacks', { ...cell, ...(picker.value ? { to: picker.value } : {}) })).releaseId} started.`,
          [el('label', { for: 'rollback-to' }, 'Go back to'), picker, el('button', { type: 'submit', class: 'reject' }, `Roll back ${this.environment}`)],
        ),
      );
    }
    if (rights.resume && held) {
      forms.push(
        this.actionForm(
          'Resume',
          async () => {
            await this.api.post('resume', cell);
            return `${this.environment} takes new pushes again.`;
          },
          [el('p', {}, 'A rollback holds this environment: pushes are built but not deployed here.'), el('button', { type: 'submit' }, 'Resume deploys')],
        ),
      );
    }
    replace(this.actions, forms);
  }

  /** A panel whose form runs `action` when submitted. */
  private actionForm(title: string, action: () => Promise<string>, content: Child): HTMLFormElement {
    const submit = (event: Event) => {
      event.preventDefault();
      void this.act(action);
    };
    return el('form', { class: 'panel', onsubmit: submit }, el('h2', {}, title), content);
  }

  private async loadHistory(cursor?: string): Promise<void> {
    const query = new URLSearchParams({ limit: '10', ...(cursor ? { cursor } : {}) });
    let page: { items: ConsoleHistoryItem[]; cursor: string | null };
    try {
      page = await this.api.get(`history/${path(this.repository, this.environment)}?${query.toString()}`);
    } catch (error) {
      replace(this.history, el('p', { role: 'alert' }, error instanceof Error ? error.message : String(error)));
      return;
    }
    const list = cursor ? this.history.querySelector('ol') : null;
    const items = page.items.map(historyItem);
    if (list) list.append(...items);
    else replace(this.history, el('h2', { id: 'history-title' }, 'History'), items.length === 0 ? el('p', { class: 'muted' }, 'Nothing deployed here yet.') : el('ol', { class: 'history-list' }, items));
    this.history.querySelector('button.older')?.remove();
    if (page.cursor) {
      const next = page.cursor;
      this.history.append(el('button', { type: 'button', class: 'older', onclick: () => void this.loadHistory(next) }, 'Older deployments'));
    }
  }
}

function historyItem(item: ConsoleHistoryItem): HTMLElement {
  return el(
    'li',
    {},
    el('div', { class: 'cell-top' }, stateBadge(item.state), el('span', {}, item.kind), when(item.startedAt), el('a', { href: `#/release/${encodeURIComponent(item.releaseId)}` }, 'steps')),
    commitLine(item.commitView),
    el('div', { class: 'muted small' }, `requested by ${item.requestedBy}`),
    item.approvals.map((approval) =>
      el('div', { class: 'small' }, `${gateWord(approval.gate)}: ${approval.decision} by ${approval.by} at ${exact(approval.at)}`, approval.comment ? el('q', {}, approval.comment) : null),
    ),
    item.failure
      ? el(
          'div',
          { class: 'failure' },
          el('strong', {}, `failed at ${item.failure.step}: `),
          item.failure.message,
          ' ',
          logLink(item.failure.logUrl),
        )
      : null,
  );
}
