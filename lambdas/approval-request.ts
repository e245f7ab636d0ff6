import { z } from 'zod';
import type { Approvals } from '../core/approvals';
import { ValidationError } from '../core/errors';
import { awsDependencies, coldStartHandler } from './aws-wiring';

export const ApprovalRequestEvent = z.object({
  taskToken: z.string().min(1),
  gate: z.enum(['approve_deploy', 'accept']),
  releaseId: z.string().min(1),
  timeoutSeconds: z.number().int().positive(),
});

/**
 * Invoked by the promotion workflow with `.waitForTaskToken`: stores the approval (its task token stays in
 * the CMDB), moves the release to waiting and emails each approver a signed link. The workflow waits until
 * a decision sends the token back, or the Task times out.
 */
export function approvalRequestHandler(deps: { approvals: Approvals }) {
  return async (raw: unknown): Promise<{ approvalId: string }> => {
    const parsed = ApprovalRequestEvent.safeParse(raw);
    if (!parsed.success) throw new ValidationError(`invalid approval request: ${z.prettifyError(parsed.error)}`);
    const approval = await deps.approvals.request(parsed.data);
    return { approvalId: approval.approvalId };
  };
}

/** Lambda entry point. */
export const handler = coldStartHandler(() => approvalRequestHandler(awsDependencies().approvalRequests()));
