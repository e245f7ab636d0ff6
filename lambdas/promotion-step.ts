import { z } from 'zod/mini';
import { ValidationError } from '../core/errors';
import { acceptedNotice, endedNotice } from '../core/notifications';
import type { PromotionSteps } from '../core/promotion-steps';
import type { PromotionRun } from '../core/workflow-contracts';
import { PROMOTION_ACTIONS } from '../core/workflow-names';
import { PromotionStepEvent, type PromotionStepResult } from '../core/workflow-step-contracts';
import { awsDependencies, coldStartHandler } from './aws-wiring';
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
        return acceptedNotice({ ...change(event.run), by: event.approval.by });
      case PROMOTION_ACTIONS.reject:
      case PROMOTION_ACTIONS.expire:
      case PROMOTION_ACTIONS.fail: {
        const ending =
          event.action === PROMOTION_ACTIONS.reject
            ? await deps.steps.reject(event.run, event.error)
            : event.action === PROMOTION_ACTIONS.expire
              ? await deps.steps.expire(event.run)
              : await deps.steps.fail(event.run, event.step, event.error);
        const detail = ending.failure ? ending.failure.message : event.action === PROMOTION_ACTIONS.expire ? `nobody decided within ${event.run.timeoutSeconds} s` : ending.outcome;
        return {
          outcome: ending.outcome,
          ...(ending.rollback ? { rollback: withTargets(ending.rollback) } : {}),
          ...endedNotice({
            ...change(event.run),
            outcome: ending.outcome,
            detail,
            ...(ending.failure?.logUrl ? { logUrl: ending.failure.logUrl } : {}),
            ...(ending.rollback ? { rollback: ending.rollback } : {}),
          }),
        };
      }
    }
  };
}

/** What a notice says of the release (docs/operations.md#notifications). */
function change(run: PromotionRun) {
  return { repository: run.repository, environment: run.environment, commit: run.commit, releaseId: run.releaseId, kind: run.kind };
}

/** Lambda entry point. */
export const handler = coldStartHandler(() => promotionStepHandler(awsDependencies('promotion-step').promotion()));
