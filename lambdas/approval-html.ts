import type { APIGatewayProxyResult } from 'aws-lambda';
import { formatTime, gateConsequence, gateTitle, type ApprovalView, type MemberFacts } from '../core/approval-view';
import type { Approval } from '../core/cmdb';
import { html, SafeHtml } from '../core/html-escape';

/**
 * The approval pages, rendered on the server: no script, no external asset, every value escaped by the
 * `html` template. Forms post to the approval's own path, relative, so they work under API Gateway's stage
 * prefix (`/prod/approvals/{id}`) and in local mode (`/approvals/{id}`) alike.
 */

const HTML_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  // The page holds a signed link and a decision: no cache may keep it.
  'cache-control': 'no-store',
  // Inline styles only; forms may post to this origin only; no framing (clickjacking of the Approve button).
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  // The URL carries the link's signature: it must not leak to the git host through the compare link.
  'referrer-policy': 'no-referrer',
} as const;

export function htmlResponse(statusCode: number, page: SafeHtml): APIGatewayProxyResult {
  return { statusCode, headers: { ...HTML_HEADERS }, body: page.value };
}

const STYLE = `
body{margin:0;padding:24px;font:15px/1.5 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#1f1f1f;background:#fff}
main{max-width:720px;margin:0 auto}
h1{font-size:22px;margin:0 0 8px}
code,pre{font-family:Menlo,Consolas,monospace}
pre{margin:0 0 16px;padding:12px;background:#f4f4f4;border-radius:4px;white-space:pre-wrap;font-size:13px}
table{border-collapse:collapse;margin:0 0 16px}
th,td{padding:4px 12px 4px 0;text-align:left;vertical-align:top}
th{color:#555;font-weight:normal;white-space:nowrap}
.forms{display:flex;flex-wrap:wrap;gap:16px}
form{flex:1 1 280px;border:1px solid #ddd;border-radius:6px;padding:16px}
label{display:block;margin:0 0 6px}
input[type=text],textarea{box-sizing:border-box;width:100%;padding:8px;font:inherit;margin:0 0 12px}
button{padding:10px 18px;font:inherit;font-weight:600;border:0;border-radius:4px;color:#fff;cursor:pointer}
.approve{background:#137333}.reject{background:#b3261e}
.alert{padding:12px;border-radius:4px;background:#fce8e6;color:#8c1d18;margin:0 0 16px}
.done{padding:12px;border-radius:4px;background:#e6f4ea;color:#0d652d;margin:0 0 16px}
.muted{color:#555;font-size:13px}`;
/** Our own constant CSS: nothing in it comes from a request, and escaping would break its quotes. */
const CSS = new SafeHtml(STYLE);

function layout(title: string, content: SafeHtml): SafeHtml {
  return html`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex,nofollow"><title>${title}</title><style>${CSS}</style></head>
<body><main>
${content}
</main></body></html>
`;
}

/** A promotion's members: each repository, its commit linked on its git host, its changes since what runs there. */
function memberFacts(view: ApprovalView, members: readonly MemberFacts[]): SafeHtml {
  const rows = members.map(
    (member) => html`<tr><td><strong>${member.repository}</strong></td><td>${member.commitUrl ? html`<a href="${member.commitUrl}" rel="noreferrer noopener"><code>${member.shortCommit}</code></a>` : html`<code>${member.shortCommit}</code>`}</td><td>${(member.message ?? '(no commit message recorded)').split('\n')[0] ?? ''} <span class="muted">${member.author ?? ''}</span></td><td>${member.runningNow ? html`<code>${member.runningNow.slice(0, 7)}</code>` : 'nothing yet'}</td><td>${member.compare ? html`<a href="${member.compare.url}" rel="noreferrer noopener">changes</a>` : ''}</td></tr>`,
  );
  return html`<table>
<tr><th>Product</th><td colspan="4">${view.repository}</td></tr>
<tr><th>Environment</th><td colspan="4">${view.environment}</td></tr>
<tr><th>Gate</th><td colspan="4">${gateTitle(view.gate)}</td></tr>
<tr><th>Requested by</th><td colspan="4">${view.requestedBy}</td></tr>
<tr><th>Link expires</th><td colspan="4">${formatTime(view.expiresAt)}</td></tr>
</table>
<table>
<tr><th>Repository</th><th>Commit</th><th>Message</th><th>Running now</th><th></th></tr>
${rows}
</table>`;
}

function facts(view: ApprovalView): SafeHtml {
  if (view.members) return memberFacts(view, view.members);
  const compare = view.compare
    ? html`<tr><th>Changes</th><td><a href="${view.compare.url}" rel="noreferrer noopener">${view.compare.base.slice(0, 7)}…${view.shortCommit}</a> on the git host</td></tr>`
    : '';
  return html`<table>
<tr><th>Repository</th><td>${view.repositoryUrl ? html`<a href="${view.repositoryUrl}" rel="noreferrer noopener">${view.repository}</a>` : view.repository}</td></tr>
<tr><th>Environment</th><td>${view.environment}</td></tr>
<tr><th>Gate</th><td>${gateTitle(view.gate)}</td></tr>
<tr><th>Commit</th><td><code>${view.shortCommit}</code> <span class="muted">${view.commit}</span></td></tr>
<tr><th>Author</th><td>${view.author ?? 'unknown (the push was not recorded)'}</td></tr>
<tr><th>Requested by</th><td>${view.requestedBy}</td></tr>
<tr><th>Running there now</th><td>${view.runningNow ? html`<code>${view.runningNow.slice(0, 7)}</code> <span class="muted">${view.runningNow}</span>` : 'nothing deployed yet'}</td></tr>
${compare}
<tr><th>Link expires</th><td>${formatTime(view.expiresAt)}</td></tr>
</table>
<p class="muted">Commit message</p>
<pre>${view.message ?? '(no commit message recorded)'}</pre>`;
}

function heading(view: ApprovalView): SafeHtml {
  return html`<h1>${view.repository} <code>${view.shortCommit}</code> in ${view.environment}</h1>`;
}

export interface DecisionForm {
  readonly view: ApprovalView;
  /** The approver the link was signed for: the decision is recorded in their name. */
  readonly approver: string;
  /** The link's `t`, posted back with the form. */
  readonly token: string;
  /** Why the last post was refused, shown next to the form it came from. */
  readonly error?: { readonly decision: 'approve' | 'reject'; readonly message: string };
  readonly comment?: string;
}

/** The page an approver's link opens: the facts, then Approve (type the environment) and Reject (say why). */
export function decisionPage(form: DecisionForm): SafeHtml {
  const { view, approver, token, error } = form;
  const action = `./${encodeURIComponent(view.approvalId)}`;
  const alert = (decision: 'approve' | 'reject') => (error?.decision === decision ? html`<p class="alert" role="alert">${error.message}</p>` : '');
  return layout(`${gateTitle(view.gate)}: ${view.repository} ${view.shortCommit} in ${view.environment}`, html`${heading(view)}
<p>${gateConsequence(view)}</p>
${facts(view)}
<p class="muted">You are deciding as <strong>${approver}</strong>. This page changes nothing until you press a button.</p>
<div class="forms">
<form method="post" action="${action}">
${alert('approve')}
<input type="hidden" name="t" value="${token}"><input type="hidden" name="decision" value="approve">
<label for="confirm">Type <strong>${view.environment}</strong> to confirm</label>
<input type="text" id="confirm" name="confirm" required autocomplete="off" autocapitalize="off" spellcheck="false">
<button type="submit" class="approve">Approve</button>
</form>
<form method="post" action="${action}">
${alert('reject')}
<input type="hidden" name="t" value="${token}"><input type="hidden" name="decision" value="reject">
<label for="comment">Why do you reject it? (required)</label>
<textarea id="comment" name="comment" rows="3" maxlength="2000" required>${form.comment ?? ''}</textarea>
<button type="submit" class="reject">Reject</button>
</form>
</div>`);
}

/** An approval that can no longer be decided: who decided it and when, or why it closed. */
export function closedPage(approval: Approval, view: ApprovalView | undefined, now: Date): SafeHtml {
  const summary = closedSummary(approval, now);
  return layout(summary, html`${view ? heading(view) : html`<h1>Approval ${approval.approvalId}</h1>`}
<p class="alert" role="status">${summary}.</p>
${approval.comment ? html`<p>Comment: ${approval.comment}</p>` : ''}
${view ? facts(view) : ''}`);
}

/** `already approved by X at T`, `closed: superseded at T`, `expired at T`. */
export function closedSummary(approval: Approval, now: Date): string {
  if (approval.status === 'approved' || approval.status === 'rejected') {
    return `Already ${approval.status} by ${approval.decidedBy ?? 'someone'} at ${formatTime(approval.decidedAt ?? '')}`;
  }
  if (approval.status === 'pending' && new Date(approval.expiresAt) <= now) return `Closed: expired at ${formatTime(approval.expiresAt)}`;
  const why = approval.status === 'superseded' ? ' (a newer release took its place)' : '';
  return `Closed: ${approval.status}${why} at ${formatTime(approval.decidedAt ?? approval.expiresAt)}`;
}

/** After a decision this request made. */
export function resultPage(approval: Approval, view: ApprovalView): SafeHtml {
  const approved = approval.status === 'approved';
  const next = !approved
    ? 'The release ends here as rejected.'
    : view.gate === 'approve_deploy'
      ? `The deploy of ${view.shortCommit} to ${view.environment} starts now.`
      : `${view.shortCommit} is accepted in ${view.environment}.`;
  const title = `${approved ? 'Approved' : 'Rejected'}: ${view.repository} ${view.shortCommit} in ${view.environment}`;
  return layout(title, html`${heading(view)}
<p class="${approved ? 'done' : 'alert'}" role="status">${approved ? 'Approved' : 'Rejected'} by ${approval.decidedBy ?? ''} at ${formatTime(approval.decidedAt ?? '')}. ${next}</p>
${approval.comment ? html`<p>Comment: ${approval.comment}</p>` : ''}
${facts(view)}`);
}

/** A refusal: forged, expired, unknown, or a service that failed. Says what to do, nothing about why inside. */
export function messagePage(title: string, message: string): SafeHtml {
  return layout(title, html`<h1>${title}</h1>
<p>${message}</p>`);
}
