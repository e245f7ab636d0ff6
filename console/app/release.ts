/// <reference lib="dom" />
import type { CommitView, StepLog } from '../../core/console-views';
import type { ReleaseView } from '../../core/release-views';
import { el } from './dom';
import { exact, gateWord } from './format';
import { commitLine, logLink, stateBadge, when } from './parts';
import { cellHref } from './board';

export type ReleaseAnswer = ReleaseView & { commitView: CommitView; logs: StepLog[] };

/** One release: what it moves where, each state it went through (who, when, why), its decisions and failure. */
export function releaseView(release: ReleaseAnswer): HTMLElement {
  return el(
    'div',
    {},
    el('p', {}, el('a', { href: cellHref(release.repository, release.environment) }, `← ${release.repository} in ${release.environment}`)),
    el('h1', {}, `${release.kind === 'rollback' ? 'Rollback' : 'Release'} ${release.releaseId}`),
    el('div', { class: 'cell-top' }, stateBadge(release.state), `requested by ${release.requestedBy}`, when(release.createdAt)),
    commitLine(release.commitView),
    release.failure
      ? el('p', { class: 'failure', role: 'alert' }, el('strong', {}, `Failed at ${release.failure.step}: `), release.failure.message, ' ', logLink(release.failure.logUrl))
      : null,
    el('h2', {}, 'Steps'),
    el(
      'ol',
      { class: 'steps' },
      release.history.map((change) =>
        el(
          'li',
          {},
          stateBadge(change.state),
          ' ',
          el('time', { datetime: change.at }, exact(change.at)),
          ` by ${change.by}`,
          change.detail ? el('div', { class: 'muted small' }, change.detail) : null,
          release.failure && change.state === 'failed' ? logLink(release.failure.logUrl) : null,
        ),
      ),
    ),
    el('h2', {}, 'Logs'),
    release.logs.length === 0
      ? el('p', { class: 'muted' }, 'No step of this release has written a log yet.')
      : el(
          'ul',
          { class: 'logs' },
          release.logs.map((log) => el('li', {}, el('strong', {}, log.step), ' ', log.at ? el('time', { datetime: log.at }, exact(log.at)) : null, ' ', logLink(log.url))),
        ),
    release.approvals.length > 0
      ? [
          el('h2', {}, 'Decisions'),
          el(
            'ul',
            {},
            release.approvals.map((approval) => el('li', {}, `${gateWord(approval.gate)}: ${approval.decision} by ${approval.by} at ${exact(approval.at)}`, approval.comment ? [' ', el('q', {}, approval.comment)] : null)),
          ),
        ]
      : null,
  );
}
