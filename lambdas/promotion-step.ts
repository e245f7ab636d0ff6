import * as z from 'zod/mini';
import { ValidationError } from '../core/errors';
import type { PromotionSteps } from '../core/promotion-steps';
import type { PromotionRun } from '../core/workflow-contracts';
import { PROMOTION_ACTIONS } from '../core/workflow-names';
import { PromotionStepEvent, type PromotionStepResult } from '../core/workflow-step-contracts';
import { awsDependencies, coldStartHandler, type HandlerSource } from './aws-wiring';

import type { BuildTargets } from './build-targets';

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
  return async (raw: unknown): Promise<PromotionStepResult> => {
    const parsed = PromotionStepEvent.safeParse(raw);
    if (!parsed.success) throw new ValidationError(`invalid workflow step: ${z.prettifyError(parsed.error)}`);
    const event = parsed.data;
    switch (event.action) {
      case PROMOTION_ACTIONS.begin:
        return withTargets(await deps.steps.begin(event.input));
      case PROMOTION_ACTIONS.claim:
        await deps.steps.claim(event.run);
        return {};
      case PROMOTION_ACTIONS.deployed:
        await deps.steps.deployed(event.run);
        return {};
      case PROMOTION_ACTIONS.tested:
        await deps.steps.tested(event.run);
        return {};
      case PROMOTION_ACTIONS.accept:
        await deps.steps.accept(event.run, event.approval);
        return notice(event.run, `accepted in ${event.run.environment} by ${event.approval.by}`);
      case PROMOTION_ACTIONS.reject:
      case PROMOTION_ACTIONS.expire:
      case PROMOTION_ACTIONS.fail: {
        const ending =
          event.action === PROMOTION_ACTIONS.reject
            ? await deps.steps.reject(event.run, event.error)
            : event.action === PROMOTION_ACTIONS.expire
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

function notice(run: PromotionRun, what: string, body = '') {
  const subject = `${run.repository} ${run.commit.slice(0, 7)} ${run.kind === 'rollback' ? 'rollback ' : ''}${what}`.slice(0, 100);
  return { subject, message: `${subject}\nRelease ${run.releaseId}${body ? `\n\n${body}` : ''}` };
}

/** What the promotion-step handler is given on AWS: the CMDB, no other SDK client. */
export const dependencies = (source?: HandlerSource) => awsDependencies('promotion-step', {}, source).promotion();

/** Lambda entry point. */
export const handler = coldStartHandler(() => promotionStepHandler(dependencies()));
