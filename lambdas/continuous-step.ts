import * as z from 'zod/mini';
import type { ContinuousSteps } from '../core/continuous-steps';
import { ValidationError } from '../core/errors';
import { acceptedNotice, failedNotice } from '../core/notifications';
import type { ContinuousInput } from '../core/workflow-contracts';
import { CONTINUOUS_ACTIONS } from '../core/workflow-names';
import { ContinuousStepEvent, type ContinuousStepResult } from '../core/workflow-step-contracts';
import { awsDependencies, coldStartHandler, type HandlerSource } from './aws-wiring';
import { gitHosts } from './aws-parts/git-hosts';
import { secretsManager } from './aws-parts/secrets-manager';

import type { BuildTargets } from './build-targets';

export interface ContinuousStepDeps {
  readonly steps: ContinuousSteps;
  readonly targets: BuildTargets;
}

/**
 * The Lambda behind every CMDB Task of the continuous deployment workflow: parse, run one step, answer
 * what the next states need. Domain errors are thrown with their names, which the workflow's `Retry`
 * (LeaseBusyError, TransientError) and `Catch` match.
 */
export function continuousStepHandler(deps: ContinuousStepDeps) {
  return async (raw: unknown): Promise<ContinuousStepResult> => {
    const parsed = ContinuousStepEvent.safeParse(raw);
    if (!parsed.success) throw new ValidationError(`invalid workflow step: ${z.prettifyError(parsed.error)}`);
    const event = parsed.data;
    const { input } = event;
    switch (event.action) {
      case CONTINUOUS_ACTIONS.begin: {
        const begun = await deps.steps.begin(input, event.execution);
        return { ...begun, ...deps.targets.forCommit(input.repository, input.commit) };
      }
      case CONTINUOUS_ACTIONS.built: {
        const { key } = deps.targets.forCommit(input.repository, input.commit).artifact;
        return deps.steps.built({ releaseId: event.releaseId, key, build: event.build, versions: event.versions });
      }
      case CONTINUOUS_ACTIONS.claim:
        return deps.steps.claim({ ...input, releaseId: event.releaseId });
      case CONTINUOUS_ACTIONS.deployed:
        await deps.steps.deployed(event);
        return {};
      case CONTINUOUS_ACTIONS.accept:
        await deps.steps.accept({ ...input, releaseId: event.releaseId });
        return acceptedNotice({ ...change(input), releaseId: event.releaseId });
      case CONTINUOUS_ACTIONS.fail: {
        const failure = await deps.steps.fail({ ...input, ...(event.releaseId ? { releaseId: event.releaseId } : {}), step: event.step, error: event.error });
        return { failure, ...failedNotice({ ...change(input), ...(event.releaseId ? { releaseId: event.releaseId } : {}), step: event.step, failure }) };
      }
    }
  };
}

/** What a notice says of the pushed commit (docs/operations.md#notifications). */
function change(input: ContinuousInput) {
  return { repository: input.repository, environment: input.environment, commit: input.commit, kind: 'deploy' as const, commitMessage: input.message, author: input.author };
}

/** What the continuous-step handler is given on AWS: the CMDB, and Secrets Manager and the git hosts for commit statuses. */
export const dependencies = (source?: HandlerSource) => awsDependencies('continuous-step', { secrets: secretsManager, commitStatusHosts: gitHosts }, source).continuous();

/** Lambda entry point. */
export const handler = coldStartHandler(() => continuousStepHandler(dependencies()));
