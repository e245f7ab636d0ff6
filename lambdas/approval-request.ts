import * as z from 'zod/mini';
import type { Approvals } from '../core/approvals';
import { ValidationError } from '../core/errors';
import { ApprovalRequest, type ApprovalRequested } from '../core/workflow-contracts';
import { awsDependencies, coldStartHandler, type HandlerSource } from './aws-wiring';
import { stepFunctions } from './aws-parts/step-functions';
import { secretsManager } from './aws-parts/secrets-manager';
import { ses } from './aws-parts/ses';

/**
 * Invoked by the promotion workflow with `.waitForTaskToken`: stores the approval (its task token stays in
 * the CMDB), moves the release to waiting and emails each approver a signed link. The workflow waits until
 * a decision sends the token back, or the Task times out.
 */
export function approvalRequestHandler(deps: { approvals: Approvals }) {
  return async (raw: unknown): Promise<ApprovalRequested> => {
    const parsed = ApprovalRequest.safeParse(raw);
    if (!parsed.success) throw new ValidationError(`invalid approval request: ${z.prettifyError(parsed.error)}`);
    const approval = await deps.approvals.request(parsed.data);
    return { approvalId: approval.approvalId };
  };
}

/** What the approval-request handler is given on AWS: the CMDB and the parts named here (aws-parts/), no other SDK client. */
export const dependencies = (source?: HandlerSource) => awsDependencies('approval-request', { workflows: stepFunctions, secrets: secretsManager, mailer: ses }, source).approvalRequests();

/** Lambda entry point. */
export const handler = coldStartHandler(() => approvalRequestHandler(dependencies()));
