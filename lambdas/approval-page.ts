import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import * as z from 'zod/mini';
import '../core/zod-english';
import { verifyApprovalLink } from '../core/approval-links';
import type { SigningKeyProvider } from '../core/approval-notifier';
import { describeApproval, type ApprovalView } from '../core/approval-view';
import type { Approvals } from '../core/approvals';
import type { Approval } from '../core/cmdb';
import type { PushStore, ReleaseStore } from '../core/cmdb-stores';
import type { ReleaseConfig } from '../core/config';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../core/errors';
import type { SafeHtml } from '../core/html-escape';
import type { Clock } from '../core/ports';
import { closedPage, closedSummary, decisionPage, htmlResponse, messagePage, resultPage } from './approval-html';
import { awsDependencies, coldStartHandler, type HandlerSource } from './aws-wiring';
import { stepFunctions } from './aws-parts/step-functions';
import { secretsManager } from './aws-parts/secrets-manager';
import { errorResponse, json, lowerCaseHeaders, rawBody } from './http';

export type ApprovalPageLogger = Pick<Logger, 'info' | 'warn' | 'error'>;

export interface ApprovalPageDeps {
  readonly approvals: Approvals;
  /** What the page shows besides the approval: its commit and what runs in its environment. */
  readonly releases: ReleaseStore;
  readonly pushes: PushStore;
  /** The current config: removing an approver from it revokes the links already sent to them. */
  readonly config: ReleaseConfig;
  readonly signingKey: SigningKeyProvider;
  readonly clock: Clock;
  /** @default errors to the console, nothing else */
  readonly logger?: ApprovalPageLogger;
}

/** A form is four short fields; anything much larger is not one of ours. */
const MAX_BODY_BYTES = 16 * 1024;

const DecisionFields = z.object({
  t: z.optional(z.string()),
  decision: z.enum(['approve', 'reject'], { error: 'choose Approve or Reject' }),
  confirm: z.optional(z.string().check(z.maxLength(200))),
  comment: z.optional(z.string().check(z.maxLength(2000, 'the comment is limited to 2000 characters'))),
});

type Answer = { status: number; page: SafeHtml; json: unknown };

const silent: ApprovalPageLogger = { info: () => {}, warn: () => {}, error: (...args: unknown[]) => console.error(...args) };

/**
 * `GET|HEAD /approvals/{id}?t=...` shows the decision and changes nothing (mail scanners open links);
 * `POST /approvals/{id}` decides once. The link's signature is the authentication: it names the
 * approver, who must still be an approver of the approval and of the environment in the config. Logs
 * name approvals and approvers, never the link's `t`.
 */
export function approvalPageHandler(deps: ApprovalPageDeps) {
  const logger = deps.logger ?? silent;

  /** The link's approver as the approval spells it, or a refusal. */
  async function authorise(approvalId: string, token: string | undefined): Promise<{ approval: Approval; approver: string } | Answer> {
    const check = verifyApprovalLink(approvalId, token, await deps.signingKey(), deps.clock.now());
    if (!check.ok) {
      logger.warn('approval link refused', { approvalId: approvalId.slice(0, 64), reason: check.reason });
      return check.reason === 'expired'
        ? refusal(403, 'link_expired', 'This link has expired', 'Approval links work until the approval times out. Ask for a new release if one is still needed.')
        : refusal(403, 'invalid_link', 'This link is not valid', 'The link is incomplete or was changed. Open it from the approval email exactly as it was sent.');
    }
    const approval = await deps.approvals.get(approvalId);
    if (!approval) return refusal(404, 'not_found', 'No such approval', 'This approval does not exist (any more).');
    const approver = approval.approvers.find((name) => same(name, check.approver));
    const environment = deps.config.environments.find((env) => env.name === approval.environment);
    const configured = environment?.mode === 'approval' && environment.approvers.some((name) => same(name, check.approver));
    if (!approver || !configured) {
      logger.warn('approval link of a non-approver refused', { approvalId, approver: check.approver });
      return refusal(403, 'forbidden', 'You may not decide this approval', `${check.approver} is not an approver of ${approval.environment}.`);
    }
    return { approval, approver };
  }

  async function show(approvalId: string, token: string | undefined): Promise<Answer> {
    const auth = await authorise(approvalId, token);
    if ('page' in auth) return auth;
    const { approval, approver } = auth;
    const view = await describeApproval(approval, deps);
    if (!isOpen(approval, deps.clock.now())) return { status: 200, page: closedPage(approval, view, deps.clock.now()), json: approvalJson(approval) };
    return { status: 200, page: decisionPage({ view, approver, token: token ?? '' }), json: { ...approvalJson(approval), approver } };
  }

  async function decide(approvalId: string, event: APIGatewayProxyEvent): Promise<Answer> {
    const fields = readForm(event);
    if (!fields) return refusal(413, 'payload_too_large', 'Too much data', 'The form sent more than an approval form holds.');
    const token = fields.t ?? event.queryStringParameters?.t;
    const auth = await authorise(approvalId, token);
    if ('page' in auth) return auth;
    const { approval, approver } = auth;
    const now = deps.clock.now();
    const view = await describeApproval(approval, deps);
    if (!isOpen(approval, now)) return closed(approval, view, closedSummary(approval, now));
    const parsed = DecisionFields.safeParse(fields);
    const again = (decision: 'approve' | 'reject', message: string): Answer => ({
      status: 400,
      page: decisionPage({ view, approver, token: token ?? '', error: { decision, message }, ...(fields.comment ? { comment: fields.comment } : {}) }),
      json: { error: 'invalid_request', message },
    });
    if (!parsed.success) return again(fields.decision === 'reject' ? 'reject' : 'approve', parsed.error.issues[0]?.message ?? 'invalid form');
    const { decision, confirm, comment } = parsed.data;
    try {
      const decided = await deps.approvals.decide({ approvalId, decision, by: approver, via: 'link', ...(confirm === undefined ? {} : { confirm }), ...(comment === undefined ? {} : { comment }) });
      logger.info('approval decided', { approvalId, decision, by: approver });
      return { status: 200, page: resultPage(decided, view), json: approvalJson(decided) };
    } catch (error) {
      if (error instanceof ValidationError) return again(decision, error.message);
      if (error instanceof ConflictError) {
        const current = (await deps.approvals.get(approvalId)) ?? approval;
        logger.warn('approval decision lost', { approvalId, decision, by: approver, reason: error.message });
        return closed(current, view, error.message);
      }
      if (error instanceof ForbiddenError) return refusal(403, 'forbidden', 'You may not decide this approval', error.message);
      if (error instanceof NotFoundError) return refusal(404, 'not_found', 'No such approval', error.message);
      throw error;
    }
  }

  function closed(approval: Approval, view: ApprovalView, message: string): Answer {
    return { status: 409, page: closedPage(approval, view, deps.clock.now()), json: { error: 'conflict', message, ...approvalJson(approval) } };
  }

  return async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    const method = event.httpMethod.toUpperCase();
    const approvalId = event.pathParameters?.id ?? '';
    const asJson = wantsJson(event);
    let answer: Answer;
    try {
      if (approvalId.length === 0 || approvalId.length > 200) answer = refusal(404, 'not_found', 'No such approval', 'This approval does not exist.');
      else if (method === 'GET' || method === 'HEAD') answer = await show(approvalId, event.queryStringParameters?.t);
      else if (method === 'POST') answer = await decide(approvalId, event);
      else return { ...errorResponse(405, 'method_not_allowed', 'use GET to look, POST to decide'), headers: { allow: 'GET, HEAD, POST' } };
    } catch (error) {
      logger.error('approval page failed', { approvalId: approvalId.slice(0, 64), method, error });
      answer = refusal(503, 'unavailable', 'Try again in a minute', 'A service this page needs is unavailable. Nothing was decided.');
    }
    const response = asJson ? json(answer.status, answer.json) : htmlResponse(answer.status, answer.page);
    // HEAD answers as GET would, without the body.
    return method === 'HEAD' ? { ...response, body: '' } : response;
  };
}

function refusal(status: number, code: string, title: string, message: string): Answer {
  return { status, page: messagePage(title, message), json: { error: code, message } };
}

function same(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function isOpen(approval: Approval, now: Date): boolean {
  return approval.status === 'pending' && new Date(approval.expiresAt) > now;
}

function approvalJson(approval: Approval) {
  return {
    approvalId: approval.approvalId,
    releaseId: approval.releaseId,
    repository: approval.repository,
    environment: approval.environment,
    commit: approval.commit,
    gate: approval.gate,
    status: approval.status,
    expiresAt: approval.expiresAt,
    ...(approval.decidedBy ? { decidedBy: approval.decidedBy, decidedAt: approval.decidedAt } : {}),
    ...(approval.comment ? { comment: approval.comment } : {}),
  };
}

/** A browser asks for HTML first; a script that asks for JSON alone gets JSON. */
function wantsJson(event: APIGatewayProxyEvent): boolean {
  const accept = lowerCaseHeaders(event.headers).accept ?? '';
  return /application\/json/i.test(accept) && !/text\/html/i.test(accept);
}

/** The posted fields, form-encoded (browsers) or JSON (scripts); undefined when too large. */
function readForm(event: APIGatewayProxyEvent): Record<string, string | undefined> | undefined {
  const body = rawBody(event);
  const text = typeof body === 'string' ? body : body.toString('utf8');
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) return undefined;
  const type = lowerCaseHeaders(event.headers)['content-type'] ?? '';
  if (/^application\/json/i.test(type)) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
        return Object.fromEntries(Object.entries(parsed).map(([name, value]) => [name, typeof value === 'string' ? value : undefined]));
      }
    } catch {
      // Not JSON: the fields are simply missing, and the form says what is needed.
    }
    return {};
  }
  const params = new URLSearchParams(text);
  // The first of a repeated field counts, as the form sends each once.
  return Object.fromEntries(['t', 'decision', 'confirm', 'comment'].map((name) => [name, params.get(name) ?? undefined]));
}

/** What the approval-page handler is given on AWS: the CMDB and the parts named here (aws-parts/), no other SDK client. */
export const dependencies = (source?: HandlerSource) => awsDependencies('approval-page', { workflows: stepFunctions, secrets: secretsManager }, source).approvalPage();

/** Lambda entry point. */
export const handler = coldStartHandler(
  () => approvalPageHandler(dependencies()),
  () => htmlResponse(503, messagePage('Try again in a minute', 'This page is not available right now. Nothing was decided.')),
);
