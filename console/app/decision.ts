/// <reference lib="dom" />
import type { ConsoleBoard } from '../../core/console-views';
import { path, type ConsoleApi } from './api';
import { el, type Child } from './dom';
import { exact, gateWord } from './format';
import { when } from './parts';

export type Pending = ConsoleBoard['pendingApprovals'][number];

/**
 * One approval waiting for a person, decided as on the emailed page: approving needs the environment's
 * name typed, rejecting a comment. Someone who may not decide there sees who does. `act` runs the
 * decision and says how it went (a cell's or the product's page).
 */
export function decisionPanel(
  api: ConsoleApi,
  approval: Pending,
  options: { what: Child; facts: Child; mayDecide: boolean; act: (decide: () => Promise<string>) => Promise<void> },
): HTMLElement {
  const { environment } = approval;
  const heading = el('h2', {}, `Waiting: ${gateWord(approval.gate)} of `, options.what);
  const facts = el('p', {}, options.facts, el('br'), 'Expires ', when(approval.expiresAt), ` (${exact(approval.expiresAt)})`);
  if (!options.mayDecide) return el('div', { class: 'panel' }, heading, facts, el('p', { class: 'muted' }, `Only approvers of ${environment} decide here.`));
  const confirmId = `confirm-${approval.id}`;
  const commentId = `comment-${approval.id}`;
  const confirm = el('input', { id: confirmId, type: 'text', autocomplete: 'off', autocapitalize: 'off', spellcheck: 'false', required: true });
  const comment = el('textarea', { id: commentId, rows: 3, maxlength: 2000 });
  const decide = (decision: 'approve' | 'reject') => (event: Event) => {
    event.preventDefault();
    void options.act(async () => {
      const body = decision === 'approve' ? { decision, confirm: confirm.value, ...(comment.value.trim() ? { comment: comment.value } : {}) } : { decision, comment: comment.value };
      const answer = await api.post<{ status: string; decidedBy: string }>(`approvals/${path(approval.id)}`, body);
      return `${answer.status === 'approved' ? 'Approved' : 'Rejected'} by ${answer.decidedBy}.`;
    });
  };
  return el(
    'div',
    { class: 'panel' },
    heading,
    facts,
    el(
      'form',
      { class: 'approve', onsubmit: decide('approve') },
      el('label', { for: confirmId }, 'Type ', el('strong', {}, environment), ' to confirm'),
      confirm,
      el('label', { for: commentId }, 'Comment (required to reject)'),
      comment,
      el('div', { class: 'buttons' }, el('button', { type: 'submit', class: 'approve' }, 'Approve'), el('button', { type: 'button', class: 'reject', onclick: decide('reject') }, 'Reject')),
    ),
  );
}
