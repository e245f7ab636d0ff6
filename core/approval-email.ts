import { formatTime, gateConsequence, gateTitle, shortSha, type ApprovalView, type MemberFacts } from './approval-view';
import { html, type SafeHtml } from './html-escape';
import type { EmailMessage } from './ports';

export interface ApprovalEmailInput {
  readonly view: ApprovalView;
  readonly from: string;
  /** The one approver this message goes to: the link is signed for them alone. */
  readonly approver: string;
  readonly link: string;
  /** A second email about the same approval (docs/operations.md#reminders): said in the subject and first line. */
  readonly reminder?: boolean;
}

/** `[sample-service] Approve a1b2c3d into production?` */
export function approvalSubject(view: Pick<ApprovalView, 'repository' | 'gate' | 'shortCommit' | 'environment'>): string {
  return view.gate === 'approve_deploy'
    ? `[${view.repository}] Approve ${view.shortCommit} into ${view.environment}?`
    : `[${view.repository}] Accept ${view.shortCommit} in ${view.environment}?`;
}

/** The facts of a decision as label/value rows, shared by the text and the HTML part. */
function facts(view: ApprovalView): Array<[string, string]> {
  if (view.members) {
    return [
      ['Product', view.repository],
      ['Environment', view.environment],
      ['Gate', gateTitle(view.gate)],
      ['Requested by', view.requestedBy],
      ['Link expires', formatTime(view.expiresAt)],
    ];
  }
  return [
    ['Repository', view.repository + (view.repositoryUrl ? ` (${view.repositoryUrl})` : '')],
    ['Environment', view.environment],
    ['Gate', gateTitle(view.gate)],
    ['Commit', `${view.shortCommit} (${view.commit})`],
    ['Author', view.author ?? 'unknown (the push was not recorded)'],
    ['Requested by', view.requestedBy],
    ['Running there now', view.runningNow ?? 'nothing deployed yet'],
    ['Link expires', formatTime(view.expiresAt)],
  ];
}

export function composeApprovalEmail(input: ApprovalEmailInput): EmailMessage {
  const subject = `${input.reminder ? 'Reminder: ' : ''}${approvalSubject(input.view)}`;
  return { from: input.from, to: [input.approver], subject, text: text(input), html: body(input).value };
}

/** The first line of a reminder: nobody has decided yet, and until when they can. */
function reminderLine(view: ApprovalView): string {
  return `Reminder: nobody has decided yet, and the link expires at ${formatTime(view.expiresAt)}.`;
}

function text({ view, approver, link, reminder }: ApprovalEmailInput): string {
  const width = Math.max(...facts(view).map(([label]) => label.length)) + 2;
  const rows = facts(view).map(([label, value]) => `${`${label}:`.padEnd(width)}${value}`);
  const message = (view.message ?? '(no commit message recorded)').split('\n').map((line) => `    ${line}`.trimEnd());
  return [
    ...(reminder ? [reminderLine(view), ''] : []),
    `${view.repository} ${view.shortCommit} waits for your decision in ${view.environment}.`,
    gateConsequence(view),
    '',
    ...rows,
    ...(view.compare ? [`${'Changes:'.padEnd(width)}${view.compare.url}`] : []),
    '',
    ...(view.members ? memberLines(view.members) : ['Commit message:', ...message]),
    '',
    'Open this link to approve or reject (opening it changes nothing):',
    link,
    '',
    `The link is signed for ${approver} and works until ${formatTime(view.expiresAt)}. Do not forward it.`,
    '',
  ].join('\n');
}

/** A promotion's members in the text part: each commit, its message's first line, its links. */
function memberLines(members: readonly MemberFacts[]): string[] {
  return members.flatMap((member) => [
    `${member.repository} ${member.shortCommit}: ${(member.message ?? '(no commit message recorded)').split('\n')[0]}`,
    `    by ${member.author ?? 'unknown'}; running there now: ${member.runningNow ? shortSha(member.runningNow) : 'nothing deployed yet'}`,
    ...(member.commitUrl ? [`    commit:  ${member.commitUrl}`] : []),
    ...(member.compare ? [`    changes: ${member.compare.url}`] : []),
  ]);
}

/** A promotion's members in the HTML part, every value escaped by `html`. */
function memberTable(members: readonly MemberFacts[]): SafeHtml {
  const rows = members.map(
    (member) => html`<tr><td style="${CELL}"><strong>${member.repository}</strong></td><td style="${CELL}">${member.commitUrl ? html`<a href="${member.commitUrl}" style="color:#0b57d0"><code>${member.shortCommit}</code></a>` : html`<code>${member.shortCommit}</code>`}</td><td style="${CELL}">${(member.message ?? '(no commit message recorded)').split('\n')[0] ?? ''}<br><span style="color:#555">${member.author ?? 'unknown'}</span></td><td style="${CELL}">${member.runningNow ? shortSha(member.runningNow) : 'nothing yet'}</td><td style="${CELL}">${member.compare ? html`<a href="${member.compare.url}" style="color:#0b57d0">changes</a>` : ''}</td></tr>`,
  );
  return html`<table role="presentation" style="border-collapse:collapse;margin:0 0 16px"><tr><th style="${CELL}text-align:left">Repository</th><th style="${CELL}text-align:left">Commit</th><th style="${CELL}text-align:left">Message</th><th style="${CELL}text-align:left">Running now</th><th style="${CELL}"></th></tr>${rows}</table>`;
}

// Email clients drop <style> blocks and external assets: every style is inline, there are no images.
const CELL = 'padding:4px 12px 4px 0;vertical-align:top;';

function body({ view, approver, link, reminder }: ApprovalEmailInput): SafeHtml {
  const rows = facts(view).map(
    ([label, value]) => html`<tr><td style="${CELL}color:#555;white-space:nowrap">${label}</td><td style="${CELL}">${value}</td></tr>`,
  );
  const changes = view.compare
    ? html`<tr><td style="${CELL}color:#555">Changes</td><td style="${CELL}"><a href="${view.compare.url}" style="color:#0b57d0">${view.compare.base.slice(0, 7)}…${view.shortCommit}</a></td></tr>`
    : '';
  return html`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${approvalSubject(view)}</title></head>
<body style="margin:0;padding:24px;font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;font-size:15px;color:#1f1f1f;background:#ffffff">
${reminder ? html`<p style="margin:0 0 12px;font-weight:600;color:#a50e0e">${reminderLine(view)}</p>` : ''}
<h1 style="font-size:20px;margin:0 0 8px">${view.repository} <code style="font-family:Menlo,Consolas,monospace">${view.shortCommit}</code> waits for your decision in ${view.environment}</h1>
<p style="margin:0 0 16px">${gateConsequence(view)}</p>
<table role="presentation" style="border-collapse:collapse;margin:0 0 16px">${rows}${changes}</table>
${view.members ? memberTable(view.members) : html`<p style="margin:0 0 4px;color:#555">Commit message</p>
<pre style="margin:0 0 20px;padding:12px;background:#f4f4f4;border-radius:4px;white-space:pre-wrap;font-family:Menlo,Consolas,monospace;font-size:13px">${view.message ?? '(no commit message recorded)'}</pre>`}
<p style="margin:0 0 20px"><a href="${link}" style="display:inline-block;padding:10px 18px;background:#0b57d0;color:#ffffff;text-decoration:none;border-radius:4px;font-weight:600">Review and decide</a></p>
<p style="margin:0 0 4px;font-size:13px;color:#555">Opening the link changes nothing: you approve or reject on the page. If the button does not work, copy this address:</p>
<p style="margin:0 0 16px;font-size:13px;word-break:break-all"><a href="${link}" style="color:#0b57d0">${link}</a></p>
<p style="margin:0;font-size:13px;color:#555">The link is signed for ${approver} and works until ${formatTime(view.expiresAt)}. Do not forward it.</p>
</body></html>
`;
}
