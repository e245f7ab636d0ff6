/// <reference lib="dom" />
import type { CommitView } from '../../core/console-views';
import { el } from './dom';
import { ago, exact, shortSha, stateTone, stateWord, subject } from './format';

/** Pieces every view uses: a state badge (colour and word), a commit, a time. */

export function stateBadge(state: string | null): HTMLElement {
  return el('span', { class: `badge tone-${stateTone(state)}` }, stateWord(state));
}

export function commitLink(commit: CommitView | null): HTMLElement {
  if (!commit) return el('span', { class: 'muted' }, 'no commit');
  const sha = el('code', {}, shortSha(commit.sha));
  return commit.url ? el('a', { href: commit.url, class: 'sha', rel: 'noreferrer noopener', title: commit.sha }, sha) : el('span', { class: 'sha', title: commit.sha }, sha);
}

export function commitLine(commit: CommitView | null): HTMLElement {
  return el(
    'div',
    { class: 'commit' },
    commitLink(commit),
    ' ',
    el('span', { class: 'message' }, commit ? subject(commit.message) : ''),
    commit?.author ? el('div', { class: 'author muted' }, commit.author) : null,
  );
}

export function when(at: string | null): HTMLElement {
  if (!at) return el('span', { class: 'muted' }, '—');
  return el('time', { datetime: at, title: exact(at) }, ago(at));
}

export function heldBadge(): HTMLElement {
  return el('span', { class: 'badge tone-held', title: 'A rollback holds this environment: new pushes are built, not deployed, until resumed' }, 'held');
}

/** A log: a link on AWS (CodeBuild's page), the file's path in local mode. */
export function logLink(url: string | undefined): HTMLElement | null {
  if (!url) return null;
  return /^https?:\/\//i.test(url) ? el('a', { href: url, rel: 'noreferrer noopener' }, 'log') : el('span', { class: 'small' }, 'log: ', el('code', {}, url));
}
