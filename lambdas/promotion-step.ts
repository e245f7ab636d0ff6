import { z } from 'zod';
import { ValidationError } from '../core/errors';
import type { PromotionSteps } from '../core/promotion-steps';
import { awsDependencies, coldStartHandler } from './aws-wiring';
import type { BuildTargets } from './build-targets';
import { CaughtErrorSchema, FailedStepSchema, Name, Sha } from './schemas';

const PromotionInputSchema = z.object({
  releaseId: z.string().min(1),
  repository: Name,
  environment: Name,
  commit: Sha,
  kind: z.enum(['release', 'rollback']),
  requestedBy: z.string().min(1),
  resumeAt: z.enum(['approve_deploy', 'accept']).optional(),
});

const RunSchema = z.object({
  releaseId: z.string().min(1),
  repository: Name,
  environment: Name,
  commit: Sha,
  kind: z.enum(['release', 'rollback']),
  approveBeforeDeploy: z.boolean(),
  autoRollback: z.boolean(),
  timeoutSeconds: z.number().int().nonnegative(),
});

const WithRun = z.object({ run: RunSchema });

export const PromotionStepEvent = z.discriminatedUnion('action', [
  z.object({ action: z.literal('begin'), input: PromotionInputSchema }),
  WithRun.extend({ action: z.literal('claim') }),
  WithRun.extend({ action: z.literal('deployed') }),
  WithRun.extend({ action: z.literal('tested') }),
  WithRun.extend({ action: z.literal('accept'), approval: z.object({ by: z.string().min(1), comment: z.string().optional() }) }),
  WithRun.extend({ action: z.literal('reject'), error: CaughtErrorSchema }),
  WithRun.extend({ action: z.literal('expire') }),
  WithRun.extend({ action: z.literal('fail'), step: FailedStepSchema, error: CaughtErrorSchema }),
]);

export interface PromotionStepDeps {
  readonly steps: PromotionSteps;
  readonly targets: BuildTargets;
}

/**
 * The Lambda behind every CMDB Task of the promotion workflow. `begin` answers the run the other states
 * work on (with the build projects and the commit's artifact); endings answer what to publish and, with
 * autoRollback, the rollback run the workflow goes on with.
 */
export function promotionStepHandler(deps: PromotionStepDeps) {
  const withTargets = <T extends { repository: string; commit: string }>(run: T) => ({ ...run, ...deps.targets.forCommit(run.repository, run.commit) });
  return async (raw: unknown): Promise<unknown> => {
    const parsed = PromotionStepEvent.safeParse(raw);
    if (!parsed.success) throw new ValidationError(`invalid workflow step: ${z.prettifyError(parsed.error)}`);
    const event = parsed.data;
    switch (event.action) {
      case 'begin':
        return withTargets(await deps.steps.begin(event.input));
      case 'claim':
        await deps.steps.claim(event.run);
        return {};
      case 'deployed':
        await deps.steps.deployed(event.run);
        return {};
      case 'tested':
        await deps.steps.tested(event.run);
        return {};
      case 'accept':
        await deps.steps.accept(event.run, event.approval);
        return notice(event.run, `accepted in ${event.run.environment} by ${event.approval.by}`);
      case 'reject':
      case 'expire':
      case 'fail': {
        const ending =
          event.action === 'reject'
            ? await deps.steps.reject(event.run, event.error)
            : event.action === 'expire'
              ? await deps.steps.expire(event.run)
              : await deps.steps.fail(event.run, event.step, event.error);
        const what = ending.failure ? ending.failure.message : ending.outcome;
        const then = ending.rollback ? `\n\nRolling back to ${ending.rollback.commit.slice(0, 7)} (release ${ending.rollback.releaseId}).` : '';
        return {
          outcome: ending.outcome,
          ...(ending.rollback ? { rollback: withTargets(ending.rollback) } : {}),
          ...notice(event.run, `${ending.outcome} in ${event.run.environment}`, `${what}${then}`),
        };
      }
    }
  };
}

function notice(run: z.infer<typeof RunSchema>, what: string, body = '') {
  const subject = `${run.repository} ${run.commit.slice(0, 7)} ${run.kind === 'rollback' ? 'rollback ' : ''}${what}`.slice(0, 100);
  return { subject, message: `${subject}\nRelease ${run.releaseId}${body ? `\n\n${body}` : ''}` };
}

/** Lambda entry point. */
export const handler = coldStartHandler(() => promotionStepHandler(awsDependencies().promotion()));
