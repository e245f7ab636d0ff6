import { Duration } from 'aws-cdk-lib';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { FailedStep } from '../core/cmdb';
import type { EnvironmentConfig, ReleaseConfig } from '../core/config';
import { CLAIM_OUTCOMES, CONTINUOUS_ACTIONS, EXECUTION_ERRORS } from '../core/workflow-names';
import { ENV } from '../lambdas/handler-environment';
import type { BuildProjects } from './build-projects';
import type { CmdbTable } from './cmdb-table';
import { codeBuildTask } from './codebuild-task';
import type { DeployTargets } from './deploy-targets';
import { HandlerFunction } from './handler-function';
import {
  acknowledgeWorkflowFindings,
  artifactSource,
  grantCodeBuildSync,
  grantListArtifactVersions,
  listArtifactVersions,
  loggedStateMachine,
  notify,
  projectNames,
  retryWhileLeaseBusy,
  stepTask,
} from './workflow-parts';

export interface ContinuousWorkflowProps {
  /** The validated config: the product, and what the steps need of each repository (its commit statuses). */
  readonly config: ReleaseConfig;
  /** The CMDB. */
  readonly table: CmdbTable;
  /** Build, deploy and test projects of each repository, by repository name. */
  readonly projects: ReadonlyMap<string, BuildProjects>;
  readonly artifactBucket: s3.IBucket;
  /** Where failures and acceptances are published. */
  readonly topic: sns.ITopic;
  /** The deploy roles of environments in other accounts; deploy and test runs there run as them. */
  readonly deployTargets: DeployTargets;
  /**
   * First wait before trying the deploy lease again while another run holds it (grows 1.5x per try).
   * @default Duration.seconds(10)
   */
  readonly leaseRetryInterval?: Duration;
  /**
   * Longest a run may take, from push to accepted (the execution's timeout).
   * @default Duration.hours(6)
   */
  readonly timeout?: Duration;
  /**
   * Longest one build, deploy or test may take (each CodeBuild Task's timeout).
   * @default Duration.hours(1)
   */
  readonly stepTimeout?: Duration;
}

/**
 * Continuous deployment of one pushed commit: build it once (artifact kept per commit), and unless a newer
 * commit was pushed or the environment is held, take the environment's deploy lease, deploy, record, test
 * and accept. Every failure is recorded with its step and a log link, gives the lease back, and is
 * published; so is every acceptance.
 *
 *   Begin -> Build -> (list versions) Built -> Claim -> (superseded | held: end) -> Deploy -> Deployed -> Test -> Accept -> notify
 *              \________\___________\____________\__________\________\-> Failed(step) -> notify -> Fail
 */
export class ContinuousWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly steps: HandlerFunction<'continuous-step'>;

  constructor(scope: Construct, id: string, props: ContinuousWorkflowProps) {
    super(scope, id);
    const projects = [...props.projects.entries()];
    this.steps = new HandlerFunction(this, 'Steps', {
      handler: 'continuous-step',
      description: 'CMDB steps of the continuous deployment workflow',
      environment: {
        [ENV.tableName]: props.table.table.tableName,
        [ENV.product]: props.config.product,
        [ENV.artifactBucket]: props.artifactBucket.bucketName,
      },
      settings: { config: props.config, projects: projectNames(props.projects) },
    });
    props.table.grantContinuousSteps(this.steps);

    const definition = this.definition(props);
    this.stateMachine = loggedStateMachine(this, 'StateMachine', 'continuous', definition, props.timeout ?? Duration.hours(6));
    grantCodeBuildSync(this.stateMachine, projects.flatMap(([, p]) => [p.build, p.deploy, p.test]));
    grantListArtifactVersions(this.stateMachine, props.artifactBucket);
    props.deployTargets.grantPassRoles(this.stateMachine, isContinuous);
    acknowledgeWorkflowFindings(this.stateMachine, this.steps);
  }

  private definition(props: ContinuousWorkflowProps): sfn.IChainable {
    const fn = this.steps;
    const stepTimeout = (props.stepTimeout ?? Duration.hours(1)).toSeconds();
    const run = { 'releaseId.$': '$.run.value.releaseId' };
    const variables = { COT_REPOSITORY: '$.repository', COT_COMMIT: '$.commit' };
    const deployVariables = { ...variables, COT_ENVIRONMENT: '$.environment' };
    const artifact = artifactSource('$.run.value.artifact.location', '$.artifact.value.version');

    const failed = new sfn.Fail(this, 'Failed', { error: EXECUTION_ERRORS.continuousFailed, cause: 'a build, deploy or test failed; see the release in the CMDB' });
    const recordFailure = (step: FailedStep) =>
      stepTask(this, `Record${step[0]!.toUpperCase()}${step.slice(1)}Failure`, {
        fn,
        action: CONTINUOUS_ACTIONS.fail,
        fields: { ...run, step, 'error.$': '$.error' },
        resultPath: '$.outcome',
        comment: `Record the ${step} failure and give the lease back`,
      }).next(notify(this, `Notify${step[0]!.toUpperCase()}${step.slice(1)}Failure`, props.topic, failed));
    const onFailure = (state: { addCatch(handler: sfn.IChainable, props?: sfn.CatchProps): unknown }, handler: sfn.IChainable) =>
      state.addCatch(handler, { errors: [sfn.Errors.ALL], resultPath: '$.error' });
    const workflowFailure = recordFailure('workflow');

    const begin = stepTask(this, 'Begin', {
      fn,
      action: CONTINUOUS_ACTIONS.begin,
      fields: { execution: { 'name.$': '$$.Execution.Name', 'startTime.$': '$$.Execution.StartTime' } },
      resultPath: '$.run',
      comment: 'Record the run as building (once, however often this step runs)',
    });
    begin.addCatch(new sfn.Fail(this, 'NotStarted', { error: EXECUTION_ERRORS.continuousNotStarted, cause: 'the run could not be recorded in the CMDB' }), { resultPath: '$.error' });

    const build = codeBuildTask(this, 'Build', {
      comment: 'Build the commit once; its artifact is kept per commit',
      projectName: '$.run.value.projects.build',
      sourceVersion: '$.commit',
      environment: variables,
      parameters: {
        ArtifactsOverride: {
          Type: 'S3',
          'Location.$': '$.run.value.artifact.bucket',
          'Path.$': '$.run.value.artifact.path',
          Name: 'artifact.zip',
          Packaging: 'ZIP',
          NamespaceType: 'NONE',
        },
      },
      // When it ran: the artifact version it stored was created meanwhile.
      keep: { startTime: '$.Build.StartTime', endTime: '$.Build.EndTime' },
      resultPath: '$.build',
      timeoutSeconds: stepTimeout,
    });
    const buildFailure = recordFailure('build');
    onFailure(build, buildFailure);
    const versions = listArtifactVersions(this, 'ListArtifactVersions', { bucketPath: '$.run.value.artifact.bucket', keyPath: '$.run.value.artifact.key', resultPath: '$.versions' });
    onFailure(versions, buildFailure);
    const built = stepTask(this, 'Built', {
      fn,
      action: CONTINUOUS_ACTIONS.built,
      fields: { ...run, 'build.$': '$.build', 'versions.$': '$.versions' },
      resultPath: '$.artifact',
      comment: 'Record the artifact version this build stored: every deploy of this run reads that version',
    });
    onFailure(built, buildFailure);

    const claim = stepTask(this, 'Claim', { fn, action: CONTINUOUS_ACTIONS.claim, fields: run, resultPath: '$.claim', comment: 'Newest commit? Environment held? Take the deploy lease' });
    retryWhileLeaseBusy(claim, props.leaseRetryInterval);
    onFailure(claim, workflowFailure);

    const deploy = props.deployTargets.codeBuildStep(this, 'Deploy', {
      environmentPath: '$.environment',
      environments: isContinuous,
      comment: 'Deploy the stored artifact of the commit',
      projectName: '$.run.value.projects.deploy',
      sourceVersion: '$.commit',
      environment: deployVariables,
      parameters: artifact,
      resultPath: '$.deploy',
      timeoutSeconds: stepTimeout,
    });
    onFailure(deploy, recordFailure('deploy'));

    const deployed = stepTask(this, 'Deployed', { fn, action: CONTINUOUS_ACTIONS.deployed, fields: run, resultPath: null, comment: 'The commit now runs in the environment' });
    onFailure(deployed, workflowFailure);

    const test = props.deployTargets.codeBuildStep(this, 'Test', {
      environmentPath: '$.environment',
      environments: isContinuous,
      comment: 'Test the deployment',
      projectName: '$.run.value.projects.test',
      sourceVersion: '$.commit',
      environment: deployVariables,
      parameters: artifact,
      resultPath: '$.test',
      timeoutSeconds: stepTimeout,
    });
    onFailure(test, recordFailure('test'));

    const accept = stepTask(this, 'Accept', { fn, action: CONTINUOUS_ACTIONS.accept, fields: run, resultPath: '$.outcome', comment: 'Accepted in the environment; give the lease back' });
    onFailure(accept, workflowFailure);

    const done = new sfn.Succeed(this, 'Done');
    const decide = new sfn.Choice(this, 'DeployOrStop')
      .when(sfn.Condition.stringEquals('$.claim.value.outcome', CLAIM_OUTCOMES.deploy), deploy.next(deployed).next(test).next(accept).next(notify(this, 'NotifyAccepted', props.topic, done)))
      .when(sfn.Condition.stringEquals('$.claim.value.outcome', CLAIM_OUTCOMES.superseded), new sfn.Succeed(this, 'Superseded', { comment: 'A newer commit was pushed' }))
      .otherwise(new sfn.Succeed(this, 'Held', { comment: 'Built, not deployed: the environment is held' }));

    // A push that is no longer the branch's head when its run begins is recorded, not built (a burst
    // of pushes builds its newest only; a late delivery of an older push builds nothing).
    const buildOrStop = new sfn.Choice(this, 'BuildOrStop')
      .when(
        sfn.Condition.and(sfn.Condition.isPresent('$.run.value.superseded'), sfn.Condition.booleanEquals('$.run.value.superseded', true)),
        new sfn.Succeed(this, 'SupersededBeforeBuild', { comment: 'A newer commit of the branch was pushed' }),
      )
      .otherwise(build.next(versions).next(built).next(claim).next(decide));
    return begin.next(buildOrStop);
  }
}

/** The environments the continuous workflow deploys to. */
const isContinuous = (env: EnvironmentConfig) => env.mode === 'continuous';
