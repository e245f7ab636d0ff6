import { Duration } from 'aws-cdk-lib';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import type { FailedStep } from '../core/cmdb';
import type { EnvironmentConfig, ReleaseConfig } from '../core/config';
import { parseDuration } from '../core/duration';
import type { ApprovalGate } from '../core/release-lifecycle';
import { ENDING_OUTCOMES, EXECUTION_ERRORS, PROMOTION_ACTIONS, WORKFLOW_ERRORS, type PromotionAction } from '../core/workflow-names';
import { ENV, type HandlerEnvironment } from '../lambdas/handler-environment';
import type { BuildProjects } from './build-projects';
import type { CmdbTable } from './cmdb-table';
import type { DeployTargets } from './deploy-targets';
import { HandlerFunction } from './handler-function';
import { productPath, type GateEndings } from './promotion-members';
import { acknowledgeWorkflowFindings, artifactSource, projectNames, retryWhileLeaseBusy, grantCodeBuildSync, LAMBDA_RETRYABLE, loggedStateMachine, notify, stepTask } from './workflow-parts';

export interface PromotionWorkflowProps {
  readonly config: ReleaseConfig;
  /** The CMDB. */
  readonly table: CmdbTable;
  /** Build, deploy and test projects of each repository, by repository name. */
  readonly projects: ReadonlyMap<string, BuildProjects>;
  readonly artifactBucket: s3.IBucket;
  /** Where endings (accepted, rejected, failed, expired) are published. */
  readonly topic: sns.ITopic;
  /** The deploy roles of environments in other accounts; deploy and test runs there run as them. */
  readonly deployTargets: DeployTargets;
  /**
   * Environment of the approval-request function beyond the CMDB's (where emails link to, which key signs
   * them), when known here; otherwise set later (`ApprovalsResources.grantNotify`).
   * @default - none
   */
  readonly approvalEnvironment?: Partial<HandlerEnvironment<'approval-request'>>;
  /**
   * First wait before trying the deploy lease again while another deploy holds it.
   * @default Duration.seconds(10)
   */
  readonly leaseRetryInterval?: Duration;
  /**
   * Longest one deploy or test may take.
   * @default Duration.hours(1)
   */
  readonly stepTimeout?: Duration;
}

/**
 * Promotion of one prepared release (or rollback) into an environment:
 *
 *   Begin (eligible?) -> [approve_deploy gate] -> Claim lease -> Deploy -> Deployed -> Test -> Tested (lease back)
 *     -> release: accept gate -> Accept                 -> rollback: done
 *   A rejection, a red deploy or test, or an expired gate ends the release; with autoRollback, a release
 *   that reached the environment goes on as a rollback run of the previous accepted commit (back to Claim).
 *   A gate closed by a newer release ends the run as superseded.
 *
 * The approval Tasks use `.waitForTaskToken` with the environment's `approvalTimeout` as their timeout;
 * the token is stored in the CMDB by the approval-request function and never appears in a link or email.
 */
export class PromotionWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly steps: HandlerFunction<'promotion-step'>;
  readonly approvalRequest: HandlerFunction<'approval-request'>;

  constructor(scope: Construct, id: string, props: PromotionWorkflowProps) {
    super(scope, id);
    const projects = [...props.projects.entries()];
    const cmdb = { [ENV.tableName]: props.table.table.tableName, [ENV.product]: props.config.product };
    this.steps = new HandlerFunction(this, 'Steps', {
      handler: 'promotion-step',
      description: 'CMDB steps of the promotion workflow',
      environment: { ...cmdb, [ENV.artifactBucket]: props.artifactBucket.bucketName },
      settings: { config: props.config, projects: projectNames(props.projects) },
    });
    this.approvalRequest = new HandlerFunction(this, 'ApprovalRequest', {
      handler: 'approval-request',
      description: 'Stores an approval with its task token and emails the approvers their links',
      environment: { ...cmdb, [ENV.notificationTopicArn]: props.topic.topicArn, ...props.approvalEnvironment },
      settings: { config: props.config },
    });
    props.table.grantPromotionSteps(this.steps);
    props.table.grantApprovalRequests(this.approvalRequest);

    // Long enough for both gates of the slowest environment to run out, plus the deploys and tests.
    const longestWait = Math.max(0, ...props.config.environments.map((env) => (env.mode === 'approval' ? parseDuration(env.approvalTimeout) : 0)));
    this.stateMachine = loggedStateMachine(this, 'StateMachine', 'promotion', this.definition(props), Duration.seconds(2 * longestWait + 86_400));
    grantCodeBuildSync(this.stateMachine, projects.flatMap(([, p]) => [p.deploy, p.test]));
    props.deployTargets.grantPassRoles(this.stateMachine, isApproval);
    acknowledgeWorkflowFindings(this.stateMachine, this.steps, this.approvalRequest);
  }

  private definition(props: PromotionWorkflowProps): sfn.IChainable {
    const fn = this.steps;
    const stepTimeout = (props.stepTimeout ?? Duration.hours(1)).toSeconds();
    const run = { 'run.$': '$.run.value' };
    const deployVariables = { COT_REPOSITORY: '$.run.value.repository', COT_COMMIT: '$.run.value.commit', COT_ENVIRONMENT: '$.run.value.environment', COT_RELEASE_ID: '$.run.value.releaseId' };
    const artifact = artifactSource('$.run.value.artifact.location', '$.run.value.artifactVersion');
    const catchAll = { errors: [sfn.Errors.ALL], resultPath: '$.error' };

    // Endings: record, publish, then go on with a rollback run or stop.
    const superseded = new sfn.Succeed(this, 'Superseded', { comment: 'A newer release took its place' });
    const outcomes = new sfn.Choice(this, 'HowItEnded')
      .when(sfn.Condition.stringEquals('$.ending.value.outcome', ENDING_OUTCOMES.rejected), new sfn.Fail(this, 'ReleaseRejected', { error: EXECUTION_ERRORS.releaseRejected, cause: 'an approver rejected the release' }))
      .when(sfn.Condition.stringEquals('$.ending.value.outcome', ENDING_OUTCOMES.expired), new sfn.Fail(this, 'ApprovalExpired', { error: EXECUTION_ERRORS.approvalExpired, cause: 'nobody decided in time' }))
      .otherwise(new sfn.Fail(this, 'ReleaseFailed', { error: EXECUTION_ERRORS.releaseFailed, cause: 'a deploy, test or workflow step failed' }));
    const rollbackRun = new sfn.Pass(this, 'StartRollback', { comment: 'Go on with the rollback run', parameters: { 'value.$': '$.ending.value.rollback' }, resultPath: '$.run' });
    const afterEnding = new sfn.Choice(this, 'RollBack?').when(sfn.Condition.isPresent('$.ending.value.rollback'), rollbackRun).otherwise(outcomes);
    const ending = (id: string, action: PromotionAction, fields: Record<string, unknown>) =>
      stepTask(this, id, { fn, action, fields: { ...run, ...fields }, resultPath: '$.ending' }).next(notify(this, `Notify${id}`, props.topic, afterEnding, '$.ending.value'));
    const failed = (step: FailedStep) => ending(`Record${step[0]!.toUpperCase()}${step.slice(1)}Failure`, PROMOTION_ACTIONS.fail, { step, 'error.$': '$.error' });
    const workflowFailure = failed('workflow');
    const rejected = ending('RecordRejection', PROMOTION_ACTIONS.reject, { 'error.$': '$.error' });
    const expired = ending('RecordExpiry', PROMOTION_ACTIONS.expire, {});

    const gate = (id: string, gateName: ApprovalGate, endings: GateEndings = { rejected, expired, failed: workflowFailure }) => {
      const task = new tasks.LambdaInvoke(this, id, {
        lambdaFunction: this.approvalRequest,
        comment: `Wait for a person: ${gateName}`,
        integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
        payload: sfn.TaskInput.fromObject({
          taskToken: sfn.JsonPath.taskToken,
          gate: gateName,
          'releaseId.$': '$.run.value.releaseId',
          'timeoutSeconds.$': '$.run.value.timeoutSeconds',
        }),
        taskTimeout: sfn.Timeout.at('$.run.value.timeoutSeconds'),
        resultPath: '$.approval',
        retryOnServiceExceptions: false,
      });
      task.addRetry({ errors: LAMBDA_RETRYABLE, interval: Duration.seconds(2), maxAttempts: 3, backoffRate: 2 });
      task.addCatch(endings.rejected, { errors: [WORKFLOW_ERRORS.rejected], resultPath: '$.error' });
      task.addCatch(superseded, { errors: [WORKFLOW_ERRORS.superseded], resultPath: '$.error' });
      task.addCatch(endings.expired, { errors: [sfn.Errors.TIMEOUT], resultPath: '$.error' });
      task.addCatch(endings.failed, catchAll);
      return task;
    };

    const begin = stepTask(this, 'Begin', { fn, action: PROMOTION_ACTIONS.begin, resultPath: '$.run', comment: 'Check eligibility; find the artifact' });
    begin.addCatch(new sfn.Fail(this, 'NotEligible', { error: EXECUTION_ERRORS.notEligible, cause: 'the commit is not accepted where it must be' }), {
      errors: [WORKFLOW_ERRORS.notEligible],
      resultPath: '$.error',
    });

    const claim = stepTask(this, 'Claim', { fn, action: PROMOTION_ACTIONS.claim, fields: run, resultPath: null, comment: 'Take the deploy lease' });
    retryWhileLeaseBusy(claim, props.leaseRetryInterval);
    claim.addCatch(workflowFailure, catchAll);

    const deploy = props.deployTargets.codeBuildStep(this, 'Deploy', {
      environmentPath: '$.run.value.environment',
      environments: isApproval,
      comment: 'Deploy the stored artifact of the commit (never a rebuild)',
      projectName: '$.run.value.projects.deploy',
      sourceVersion: '$.run.value.commit',
      environment: deployVariables,
      parameters: artifact,
      resultPath: '$.deploy',
      timeoutSeconds: stepTimeout,
    });
    deploy.addCatch(failed('deploy'), catchAll);
    const deployed = stepTask(this, 'Deployed', { fn, action: PROMOTION_ACTIONS.deployed, fields: run, resultPath: null, comment: 'The commit now runs in the environment' });
    deployed.addCatch(workflowFailure, catchAll);
    const test = props.deployTargets.codeBuildStep(this, 'Test', {
      environmentPath: '$.run.value.environment',
      environments: isApproval,
      comment: 'Test the deployment',
      projectName: '$.run.value.projects.test',
      sourceVersion: '$.run.value.commit',
      environment: deployVariables,
      parameters: artifact,
      resultPath: '$.test',
      timeoutSeconds: stepTimeout,
    });
    test.addCatch(failed('test'), catchAll);
    const tested = stepTask(this, 'Tested', { fn, action: PROMOTION_ACTIONS.tested, fields: run, resultPath: null, comment: 'Give the lease back; a rollback is accepted here' });
    tested.addCatch(workflowFailure, catchAll);

    const accept = stepTask(this, 'Accept', { fn, action: PROMOTION_ACTIONS.accept, fields: { ...run, 'approval.$': '$.approval' }, resultPath: '$.outcome', comment: 'Accepted: may go to the next environment' });
    accept.addCatch(workflowFailure, catchAll);
    const accepted = new sfn.Succeed(this, 'Accepted');
    const rolledBack = new sfn.Choice(this, 'AfterRollback')
      .when(sfn.Condition.isPresent('$.ending.value.outcome'), outcomes)
      .otherwise(new sfn.Succeed(this, 'RolledBack'));
    const acceptGate = gate('AcceptGate', 'accept');
    acceptGate.next(accept).next(notify(this, 'NotifyAccepted', props.topic, accepted));
    const afterTests = new sfn.Choice(this, 'ReleaseOrRollback')
      .when(sfn.Condition.stringEquals('$.run.value.kind', 'rollback'), rolledBack)
      .otherwise(acceptGate);

    const deployChain = claim.next(deploy).next(deployed).next(test).next(tested).next(afterTests);
    rollbackRun.next(claim);
    const approveDeployGate = gate('ApproveDeployGate', 'approve_deploy');
    approveDeployGate.next(claim);
    const gateFirst = new sfn.Choice(this, 'ApproveBeforeDeploy?')
      .when(sfn.Condition.booleanEquals('$.run.value.approveBeforeDeploy', true), approveDeployGate)
      .otherwise(deployChain);
    // Local mode restarts a run that was waiting for a person at its gate (the approval keeps its links;
    // docs/architecture.md#restart-recovery). It stays in this shared definition on purpose: local mode runs
    // exactly the ASL deployed on AWS, and a local-only way in would mean a second definition to keep in
    // step. It comes after Begin, so a resumed run passes the same checks; on AWS nothing sets `resumeAt`.
    // Keyed by gate: a gate added to APPROVAL_GATES does not compile until it has its Task here.
    const gates: Record<ApprovalGate, sfn.IChainable> = { accept: acceptGate, approve_deploy: approveDeployGate };
    // A promotion of several repositories takes its own path (docs/architecture.md#promotions).
    const product = productPath(this, {
      fn,
      gate,
      outcomes,
      topic: props.topic,
      deployTargets: props.deployTargets,
      environments: isApproval,
      stepTimeout,
      ...(props.leaseRetryInterval ? { leaseRetryInterval: props.leaseRetryInterval } : {}),
    });
    const productResume = new sfn.Choice(this, 'ProductResume?');
    for (const [resumeAt, waiting] of Object.entries(product.gates)) {
      productResume.when(sfn.Condition.and(sfn.Condition.isPresent('$.resumeAt'), sfn.Condition.stringEquals('$.resumeAt', resumeAt)), waiting);
    }
    productResume.otherwise(product.start);
    const resume = new sfn.Choice(this, 'Resume?');
    resume.when(sfn.Condition.isPresent('$.run.value.product'), productResume);
    for (const [resumeAt, waiting] of Object.entries(gates)) {
      resume.when(sfn.Condition.and(sfn.Condition.isPresent('$.resumeAt'), sfn.Condition.stringEquals('$.resumeAt', resumeAt)), waiting);
    }
    resume.otherwise(gateFirst);
    return begin.next(resume);
  }
}

/** The environments the promotion workflow deploys to. */
const isApproval = (env: EnvironmentConfig) => env.mode === 'approval';
