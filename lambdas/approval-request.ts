import { z } from 'zod/mini';
import type { Approvals } from '../core/approvals';
import { ValidationError } from '../core/errors';
import { ApprovalRequest, type ApprovalRequested } from '../core/workflow-contracts';
import { awsDependencies, coldStartHandler } from './aws-wiring';

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

/** Lambda entry point. */
export const handler = coldStartHandler(() => approvalRequestHandler(awsDependencies('approval-request').approvalRequests()));
