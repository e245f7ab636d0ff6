import type { Approval } from './cmdb';
import type { Failure } from './workflow-contracts';

/*
 * What the notification topic says (docs/operations.md#notifications): one subject line a person can
 * act on from a list of emails or a chat channel, and a short body of labelled facts. Subjects keep the
 * shape `<repository> <short commit> <what happened> in <environment>`: people and filters rely on it.
 */

export interface Notice {
  /** At most 100 characters (SNS's limit for email subjects). */
  readonly subject: string;
  readonly message: string;
}

/** The change a notice is about. */
export interface NoticeChange {
  readonly repository: string;
  readonly environment: string;
  readonly commit: string;
  readonly releaseId?: string;
  /** `rollback` says so in the subject. */
  readonly kind?: 'deploy' | 'release' | 'rollback';
  /** The commit's message and author, when the run knows them (continuous runs do). */
  readonly commitMessage?: string;
  readonly author?: string;
}

const short = (commit: string) => commit.slice(0, 7);

function notice(change: NoticeChange, what: string, lead: string, facts: Array<[string, string | undefined]>): Notice {
  const subject = `${change.repository} ${short(change.commit)} ${change.kind === 'rollback' ? 'rollback ' : ''}${what}`.slice(0, 100);
  const rows: Array<[string, string | undefined]> = [
    ...facts,
    ['Commit', `${change.commit}${change.author ? ` by ${change.author}` : ''}`],
    ['Release', change.releaseId],
  ];
  const present = rows.filter((row): row is [string, string] => row[1] !== undefined && row[1] !== '');
  const width = Math.max(...present.map(([label]) => label.length)) + 3;
  const message = change.commitMessage?.trim() ? [`    ${change.commitMessage.trim().split('\n')[0]}`] : [];
  return {
    subject,
    message: [subject, '', lead, '', ...present.map(([label, value]) => `${`${label}:`.padEnd(width)}${value}`), ...(message.length > 0 ? ['', 'Commit message:', ...message] : []), ''].join('\n'),
  };
}

/** A commit passed its tests (continuous) or was accepted by a person (release, rollback). */
export function acceptedNotice(change: NoticeChange & { readonly by?: string; readonly rollbackOf?: string }): Notice {
  const rollback = change.kind === 'rollback';
  return notice(
    change,
    `accepted in ${change.environment}${change.by ? ` by ${change.by}` : ''}`,
    rollback
      ? `${change.environment} runs ${short(change.commit)} of ${change.repository} again: the rollback passed its tests.`
      : `${short(change.commit)} of ${change.repository} is accepted in ${change.environment}${change.by ? ` by ${change.by}` : ' (its tests passed)'}.`,
    [
      ['Accepted by', change.by],
      ['Rolled back', rollback ? change.rollbackOf : undefined],
    ],
  );
}

/** A build, deploy or test failed: which step, why, and where its log is. */
export function failedNotice(change: NoticeChange & { readonly step: string; readonly failure: Pick<Failure, 'message' | 'logUrl'>; readonly rollback?: { readonly commit: string; readonly releaseId: string } }): Notice {
  return notice(change, `${change.step} failed in ${change.environment}`, `The ${change.step} step of ${change.repository} ${short(change.commit)} failed in ${change.environment}.`, [
    ['What failed', change.failure.message],
    ['Logs', change.failure.logUrl],
    ['Next', change.rollback ? `rolling back to ${short(change.rollback.commit)} (release ${change.rollback.releaseId})` : undefined],
  ]);
}

/** A release ended without being accepted: failed (any step), rejected by a person, or expired. */
export function endedNotice(
  change: NoticeChange & { readonly outcome: 'failed' | 'rejected' | 'expired'; readonly detail: string; readonly logUrl?: string; readonly rollback?: { readonly commit: string; readonly releaseId: string } },
): Notice {
  const lead = {
    failed: `The release of ${change.repository} ${short(change.commit)} into ${change.environment} failed.`,
    rejected: `The release of ${change.repository} ${short(change.commit)} into ${change.environment} was rejected.`,
    expired: `Nobody decided on ${change.repository} ${short(change.commit)} in ${change.environment} in time: the release expired.`,
  }[change.outcome];
  return notice(change, `${change.outcome} in ${change.environment}`, lead, [
    [change.outcome === 'rejected' ? 'Why' : 'What happened', change.detail],
    ['Logs', change.logUrl],
    ['Next', change.rollback ? `rolling back to ${short(change.rollback.commit)} (release ${change.rollback.releaseId})` : undefined],
  ]);
}

const GATE_WORDS = { approve_deploy: 'approval to deploy', accept: 'acceptance' } as const;

/** An approval was requested: who was asked, and until when. Links are emailed to each approver, never published. */
export function approvalWaitingNotice(approval: Pick<Approval, 'repository' | 'environment' | 'commit' | 'releaseId' | 'gate' | 'approvers' | 'expiresAt'>): Notice {
  return notice(approval, `waits for ${GATE_WORDS[approval.gate]} in ${approval.environment}`, `${approval.repository} ${short(approval.commit)} waits for ${GATE_WORDS[approval.gate]} in ${approval.environment}.`, [
    ['Asked', approval.approvers.join(', ')],
    ['Expires', approval.expiresAt],
    ['How', 'each approver was emailed a link of their own; cot approvals lists it too'],
  ]);
}

/** An approval nobody decided is close to expiring; its approvers were reminded. */
export function approvalExpiringNotice(approval: Pick<Approval, 'repository' | 'environment' | 'commit' | 'releaseId' | 'gate' | 'approvers' | 'expiresAt'>): Notice {
  return notice(approval, `${GATE_WORDS[approval.gate]} in ${approval.environment} expires at ${approval.expiresAt}`, `Nobody has decided on ${approval.repository} ${short(approval.commit)} in ${approval.environment} yet.`, [
    ['Expires', approval.expiresAt],
    ['Reminded', approval.approvers.join(', ')],
  ]);
}
