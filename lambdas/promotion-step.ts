import * as z from 'zod/mini';
import { ValidationError } from '../core/errors';
import type { ProductSteps } from '../core/product-steps';
import { acceptedNotice, endedNotice } from '../core/notifications';
import type { PromotionSteps } from '../core/promotion-steps';
import type { ProductEnding, ProductRun, PromotionRun } from '../core/workflow-contracts';
import { PRODUCT_ACTIONS, PROMOTION_ACTIONS } from '../core/workflow-names';
import { ProductStepEvent, PromotionStepEvent, type ProductStepResult, type PromotionStepResult } from '../core/workflow-step-contracts';
import { awsDependencies, coldStartHandler, type HandlerSource } from './aws-wiring';
import { gitHosts } from './aws-parts/git-hosts';
import { secretsManager } from './aws-parts/secrets-manager';

import type { BuildTargets } from './build-targets';

export interface PromotionStepDeps {
  readonly steps: PromotionSteps;
  /** The steps of a promotion of several repositories. */
  readonly products: ProductSteps;
  readonly targets: BuildTargets;
}

/**
 * The Lambda behind every CMDB Task of the promotion workflow. `begin` answers the run the other states
 * work on (with the build projects and the commit's artifact); endings answer what to publish and, with
 * autoRollback, the rollback run the workflow goes on with.
 */
export function promotionStepHandler(deps: PromotionStepDeps) {
  const withTargets = <T extends { repository: string; commit: string }>(run: T) => ({ ...run, ...deps.targets.forCommit(run.repository, run.commit) });
  const productWithTargets = (run: ProductRun) => ({ ...run, waves: run.waves.map((wave) => wave.map(withTargets)) });
  const productEnded = (run: ProductRun, ending: ProductEnding) => {
    const what = ending.failure ? ending.failure.message : ending.outcome;
    const then = ending.rollback ? `\n\nRolling back ${ending.rollback.waves.flat().map((member) => `${member.repository} to ${member.commit.slice(0, 7)}`).join(', ')} (release ${ending.rollback.releaseId}).` : '';
    return {
      outcome: ending.outcome,
      ...(ending.rollback ? { rollback: productWithTargets(ending.rollback) } : {}),
      ...productNotice(run, `${ending.outcome} in ${run.environment}`, `${what}${then}`),
    };
  };
  const product = async (raw: unknown): Promise<ProductStepResult> => {
    const parsed = ProductStepEvent.safeParse(raw);
    if (!parsed.success) throw new ValidationError(`invalid workflow step: ${z.prettifyError(parsed.error)}`);
    const event = parsed.data;
    switch (event.action) {
      case PRODUCT_ACTIONS.productClaim:
        await deps.products.claim(event.run);
        return {};
      case PRODUCT_ACTIONS.memberDeployed:
        await deps.products.memberDeployed(event.member);
        return {};
      case PRODUCT_ACTIONS.memberFailed:
        await deps.products.memberFailed(event.member, event.step, event.error);
        return {};
      case PRODUCT_ACTIONS.productTested:
        await deps.products.tested(event.run);
        return {};
      case PRODUCT_ACTIONS.productAccept:
        await deps.products.accept(event.run, event.approval);
        return productNotice(event.run, `accepted in ${event.run.environment} by ${event.approval.by}`);
      case PRODUCT_ACTIONS.productReject:
        return productEnded(event.run, await deps.products.reject(event.run, event.error));
      case PRODUCT_ACTIONS.productExpire:
        return productEnded(event.run, await deps.products.expire(event.run));
      case PRODUCT_ACTIONS.productFail:
        return productEnded(event.run, await deps.products.fail(event.run, event.step, event.error));
    }
  };
  return async (raw: unknown): Promise<PromotionStepResult | ProductStepResult> => {
    if (isProductCall(raw)) return product(raw);
    const parsed = PromotionStepEvent.safeParse(raw);
    if (!parsed.success) throw new ValidationError(`invalid workflow step: ${z.prettifyError(parsed.error)}`);
    const event = parsed.data;
    switch (event.action) {
      case PROMOTION_ACTIONS.begin:
        return 'product' in event.input ? productWithTargets(await deps.products.begin(event.input)) : withTargets(await deps.steps.begin(event.input));
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

const PRODUCT_ACTION_NAMES: readonly string[] = Object.values(PRODUCT_ACTIONS);

/** A call of the product path's Tasks (docs/architecture.md#promotions). */
function isProductCall(raw: unknown): boolean {
  return typeof raw === 'object' && raw !== null && PRODUCT_ACTION_NAMES.includes(String((raw as { action?: unknown }).action));
}

function productNotice(run: ProductRun, what: string, body = '') {
  const members = run.waves.flat();
  const subject = `promotion of ${members.length} repositor${members.length === 1 ? 'y' : 'ies'} ${run.kind === 'rollback' ? '(rollback) ' : ''}${what}`.slice(0, 100);
  const list = members.map((member) => `  ${member.repository} ${member.commit.slice(0, 7)}`).join('\n');
  return { subject, message: `${subject}\nRelease ${run.releaseId}\n${list}${body ? `\n\n${body}` : ''}` };
}

/** What a notice says of the release (docs/operations.md#notifications). */
function change(run: PromotionRun) {
  return { repository: run.repository, environment: run.environment, commit: run.commit, releaseId: run.releaseId, kind: run.kind };
}

/** What the promotion-step handler is given on AWS: the CMDB, and Secrets Manager and the git hosts for commit statuses. */
export const dependencies = (source?: HandlerSource) => awsDependencies('promotion-step', { secrets: secretsManager, commitStatusHosts: gitHosts }, source).promotion();

/** Lambda entry point. */
export const handler = coldStartHandler(() => promotionStepHandler(dependencies()));
