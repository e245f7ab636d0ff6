import type { Duration } from 'aws-cdk-lib';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../core/config';
import type { ApprovalGate } from '../core/release-lifecycle';
import { EXECUTION_ERRORS, PRODUCT_ACTIONS, type ProductAction } from '../core/workflow-names';
import type { DeployTargets } from './deploy-targets';
import { artifactSource, notify, retryWhileLeaseBusy, stepTask } from './workflow-parts';

/** The endings a gate of the product path goes to. */
export interface GateEndings {
  readonly rejected: sfn.IChainable;
  readonly expired: sfn.IChainable;
  readonly failed: sfn.IChainable;
}

export interface ProductPathProps {
  /** The promotion-step function. */
  readonly fn: lambda.IFunction;
  /** Makes an approval gate Task of the workflow (the same approval-request function and timeouts). */
  readonly gate: (id: string, gate: ApprovalGate, endings: GateEndings) => sfn.TaskStateBase;
  /** How a run ended (`HowItEnded`), shared with the one-repository path. */
  readonly outcomes: sfn.IChainable;
  readonly topic: sns.ITopic;
  readonly deployTargets: DeployTargets;
  readonly environments: (env: EnvironmentConfig) => boolean;
  readonly stepTimeout: number;
  readonly leaseRetryInterval?: Duration;
}

/**
 * The product path of the promotion workflow (docs/architecture.md#promotions): a promotion of several
 * repositories, entered from `Resume?` when Begin answered a run with `product`.
 *
 *   [ProductApproveDeployGate] -> ProductClaim (every member's lease at once)
 *     -> DeployWaves (Map over waves, one at a time) -> DeployWave (Map over a wave's members, in parallel)
 *          -> MemberDeploy -> MemberDeployed -> MemberTest       (a red one records itself, fails the Map)
 *     -> ProductTested -> release: ProductAcceptGate -> ProductAccept      rollback: accepted in ProductTested
 *
 * Each member costs the transitions of its four states (five with a deploy role's Choice); the rest is a
 * constant, so a run grows linearly with its members. The Maps discard their results (`ResultPath: null`),
 * so the state stays the size of the run (about 600 bytes per member, far below 256 KB for 25 members).
 * Returns the entry state, and where a resumed run waits again.
 */
export function productPath(scope: Construct, props: ProductPathProps): { start: sfn.IChainable; gates: Record<ApprovalGate, sfn.IChainable> } {
  const { fn } = props;
  const run = { 'run.$': '$.run.value' };
  const catchAll = { errors: [sfn.Errors.ALL], resultPath: '$.error' };
  const step = (id: string, action: ProductAction, fields: Record<string, unknown>, resultPath: string | null, comment: string) =>
    stepTask(scope, id, { fn, action, fields, resultPath, comment });

  // Endings: record (each member too), publish, then go on with the rollback promotion or stop.
  const rollbackRun = new sfn.Pass(scope, 'ProductStartRollback', { comment: 'Go on with the rollback promotion', parameters: { 'value.$': '$.ending.value.rollback' }, resultPath: '$.run' });
  const afterEnding = new sfn.Choice(scope, 'ProductRollBack?').when(sfn.Condition.isPresent('$.ending.value.rollback'), rollbackRun).otherwise(props.outcomes);
  const ending = (id: string, action: ProductAction, fields: Record<string, unknown>) =>
    step(id, action, { ...run, ...fields }, '$.ending', 'End the promotion and its members').next(notify(scope, `Notify${id}`, props.topic, afterEnding, '$.ending.value'));
  const failed = ending('ProductRecordFailure', PRODUCT_ACTIONS.productFail, { step: 'workflow', 'error.$': '$.error' });
  const endings: GateEndings = {
    rejected: ending('ProductRecordRejection', PRODUCT_ACTIONS.productReject, { 'error.$': '$.error' }),
    expired: ending('ProductRecordExpiry', PRODUCT_ACTIONS.productExpire, {}),
    failed,
  };

  const claim = step('ProductClaim', PRODUCT_ACTIONS.productClaim, run, null, 'Take every member\'s deploy lease at once');
  retryWhileLeaseBusy(claim, props.leaseRetryInterval);
  claim.addCatch(failed, catchAll);

  // One member: deploy its stored artifact, record it, test it. A red step records why, then fails the Map.
  const member = { 'member.$': '$.member', 'environment.$': '$.environment' };
  const memberFailed = new sfn.Fail(scope, 'MemberFailed', { error: EXECUTION_ERRORS.memberFailed, cause: 'a member\'s deploy or test failed' });
  const recordFailure = (id: string, failedStep: 'deploy' | 'test') => step(id, PRODUCT_ACTIONS.memberFailed, { ...member, step: failedStep, 'error.$': '$.error' }, null, `Record the member's ${failedStep} failure`).next(memberFailed);
  const codeBuild = (id: string, project: 'deploy' | 'test', comment: string) =>
    props.deployTargets.codeBuildStep(scope, id, {
      environmentPath: '$.environment',
      environments: props.environments,
      comment,
      projectName: `$.member.projects.${project}`,
      sourceVersion: '$.member.commit',
      environment: { COT_REPOSITORY: '$.member.repository', COT_COMMIT: '$.member.commit', COT_ENVIRONMENT: '$.environment', COT_RELEASE_ID: '$.member.releaseId' },
      // The version accepted below (or, for a rollback, here before), never whatever was built last.
      parameters: artifactSource('$.member.artifact.location', '$.member.artifactVersion'),
      resultPath: sfn.JsonPath.DISCARD,
      timeoutSeconds: props.stepTimeout,
    });
  const deploy = codeBuild('MemberDeploy', 'deploy', 'Deploy the member\'s stored artifact (never a rebuild)');
  const deployFailed = recordFailure('MemberRecordDeployFailure', 'deploy');
  for (const task of deploy.tasks) task.addCatch(deployFailed, catchAll);
  const deployed = step('MemberDeployed', PRODUCT_ACTIONS.memberDeployed, member, null, 'The member\'s commit now runs in the environment');
  deployed.addCatch(memberFailed, catchAll);
  const test = codeBuild('MemberTest', 'test', 'Test the member\'s deployment');
  const testFailed = recordFailure('MemberRecordTestFailure', 'test');
  for (const task of test.tasks) task.addCatch(testFailed, catchAll);

  const wave = new sfn.Map(scope, 'DeployWave', {
    comment: 'The members of one wave, in parallel',
    itemsPath: '$.wave',
    itemSelector: { 'member.$': '$$.Map.Item.Value', 'environment.$': '$.environment' },
    maxConcurrency: 0,
    resultPath: sfn.JsonPath.DISCARD,
  });
  wave.itemProcessor(deploy.next(deployed).next(test));
  const waves = new sfn.Map(scope, 'DeployWaves', {
    comment: 'Waves in deployAfter order, one after the other',
    itemsPath: '$.run.value.waves',
    itemSelector: { 'wave.$': '$$.Map.Item.Value', 'environment.$': '$.run.value.environment' },
    maxConcurrency: 1,
    resultPath: sfn.JsonPath.DISCARD,
  });
  waves.itemProcessor(wave);
  waves.addCatch(failed, catchAll);

  const tested = step('ProductTested', PRODUCT_ACTIONS.productTested, run, null, 'Leases back; a rollback promotion is accepted here');
  tested.addCatch(failed, catchAll);
  const accept = step('ProductAccept', PRODUCT_ACTIONS.productAccept, { ...run, 'approval.$': '$.approval' }, '$.outcome', 'Accepted together: the set may go to the next environment');
  accept.addCatch(failed, catchAll);
  const acceptGate = props.gate('ProductAcceptGate', 'accept', endings);
  acceptGate.next(accept).next(notify(scope, 'NotifyProductAccepted', props.topic, new sfn.Succeed(scope, 'ProductAccepted')));
  const afterRollback = new sfn.Choice(scope, 'ProductAfterRollback')
    .when(sfn.Condition.isPresent('$.ending.value.outcome'), props.outcomes)
    .otherwise(new sfn.Succeed(scope, 'ProductRolledBack'));
  const afterTests = new sfn.Choice(scope, 'ProductReleaseOrRollback').when(sfn.Condition.stringEquals('$.run.value.kind', 'rollback'), afterRollback).otherwise(acceptGate);
  const deployChain = claim.next(waves).next(tested).next(afterTests);
  rollbackRun.next(claim);

  const approveDeployGate = props.gate('ProductApproveDeployGate', 'approve_deploy', endings);
  approveDeployGate.next(claim);
  const start = new sfn.Choice(scope, 'ProductApproveBeforeDeploy?')
    .when(sfn.Condition.booleanEquals('$.run.value.approveBeforeDeploy', true), approveDeployGate)
    .otherwise(deployChain);
  return { start, gates: { accept: acceptGate, approve_deploy: approveDeployGate } };
}

