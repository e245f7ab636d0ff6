import * as z from 'zod/mini';
import { ValidationError } from '../core/errors';
import type { Reconciler } from '../core/reconcile';
import { awsDependencies, coldStartHandler, type HandlerSource } from './aws-wiring';

/**
 * EventBridge's "Step Functions Execution Status Change" for an execution of ours that FAILED, TIMED_OUT
 * or was ABORTED (the rule in lib/reconciliation.ts matches nothing else): just the fields we read.
 */
export const ExecutionStatusChange = z.object({
  detail: z.object({
    name: z.string().check(z.minLength(1), z.maxLength(80)),
    status: z.enum(['FAILED', 'TIMED_OUT', 'ABORTED']),
    /** Epoch milliseconds. */
    startDate: z.number(),
    /** The execution's input, as JSON text. */
    input: z.nullish(z.string()),
    cause: z.nullish(z.string()),
    error: z.nullish(z.string()),
  }),
});

/** Closes what an execution left open when it ended outside its own Catch (see core/reconcile.ts). */
export function reconcileHandler(deps: { reconciler: Reconciler }) {
  return async (raw: unknown): Promise<{ releaseId: string; closed: boolean }> => {
    const parsed = ExecutionStatusChange.safeParse(raw);
    if (!parsed.success) throw new ValidationError(`not an execution status change: ${z.prettifyError(parsed.error)}`);
    const { detail } = parsed.data;
    let input: unknown = null;
    try {
      input = detail.input ? JSON.parse(detail.input) : null;
    } catch {
      // An input we cannot read names no promotion release; the execution name still names a continuous run.
    }
    const cause = [detail.error, detail.cause].filter(Boolean).join(': ');
    return deps.reconciler.executionEnded({
      name: detail.name,
      startDate: new Date(detail.startDate).toISOString(),
      input,
      status: detail.status,
      ...(cause ? { cause } : {}),
    });
  };
}

/** What the reconcile handler is given on AWS: the CMDB, no other SDK client. */
export const dependencies = (source?: HandlerSource) => awsDependencies('reconcile', {}, source).reconcile();

/** Lambda entry point. */
export const handler = coldStartHandler(() => reconcileHandler(dependencies()));
