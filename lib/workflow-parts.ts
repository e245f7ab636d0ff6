import { Duration, RemovalPolicy, Stack, Tags, Validations } from 'aws-cdk-lib';
import type * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { WORKFLOW_ERRORS, type ContinuousAction, type ProductAction, type PromotionAction } from '../core/workflow-names';
import { defaultPolicyOf, nagResource } from './acknowledge';
import { LIST_ARTIFACT_VERSIONS, WORKFLOW_TAG } from './template-names';
import type { BuildProjects } from './build-projects';

/** Lambda's own transient failures, plus our retryable domain errors. Never a ValidationError or a red test. */
export const LAMBDA_RETRYABLE = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  WORKFLOW_ERRORS.transient,
];

/** A Task that calls one of our step Lambdas with `{ action, ...fields }` and keeps the payload it returns. */
export function stepTask(
  scope: Construct,
  id: string,
  props: { fn: lambda.IFunction; action: ContinuousAction | PromotionAction | ProductAction; fields?: Record<string, unknown>; resultPath: string | null; comment?: string },
): tasks.LambdaInvoke {
  const task = new tasks.LambdaInvoke(scope, id, {
    lambdaFunction: props.fn,
    comment: props.comment,
    payload: sfn.TaskInput.fromObject({ action: props.action, 'input.$': '$$.Execution.Input', ...props.fields }),
    retryOnServiceExceptions: false,
    ...(props.resultPath === null ? { resultPath: sfn.JsonPath.DISCARD } : { resultPath: props.resultPath, resultSelector: { 'value.$': '$.Payload' } }),
  });
  task.addRetry({ errors: LAMBDA_RETRYABLE, interval: Duration.seconds(2), maxAttempts: 6, backoffRate: 2, jitterStrategy: sfn.JitterType.FULL });
  return task;
}

export { WORKFLOW_TAG } from './template-names';

/**
 * A state machine with execution logs (ALL, without state data) and X-Ray tracing. Its log group is named
 * `/aws/vendedlogs/states/<stack>-<workflow>`: under `/aws/vendedlogs/` CloudWatch Logs accepts the
 * delivery without adding an entry to the account's log resource policy, whose size is capped (an
 * account with many logged state machines runs into the cap otherwise). Retained: deploying a stack of
 * the same name again after deleting it needs these groups deleted first (docs/deploy-to-aws.md#removing-the-stack).
 */
export function loggedStateMachine(scope: Construct, id: string, workflow: string, definition: sfn.IChainable, timeout: Duration): sfn.StateMachine {
  const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
    logGroupName: `/aws/vendedlogs/states/${Stack.of(scope).stackName}-${workflow}`,
    retention: logs.RetentionDays.THREE_MONTHS,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const machine = new sfn.StateMachine(scope, id, {
    stateMachineType: sfn.StateMachineType.STANDARD,
    definitionBody: sfn.DefinitionBody.fromChainable(definition),
    timeout,
    tracingEnabled: true,
    // Every event, without state data: the promotion's inputs carry task tokens, which stay out of logs.
    logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
  });
  Tags.of(machine).add(WORKFLOW_TAG, workflow, { includeResourceTypes: ['AWS::StepFunctions::StateMachine'] });
  return machine;
}

/** What `codebuild:startBuild.sync` needs: run and watch the projects, and the managed EventBridge rule. */
export function grantCodeBuildSync(machine: sfn.StateMachine, projects: readonly codebuild.IProject[]): void {
  machine.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['codebuild:StartBuild', 'codebuild:StopBuild', 'codebuild:BatchGetBuilds'],
      resources: projects.map((project) => project.projectArn),
    }),
  );
  machine.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
      resources: [Stack.of(machine).formatArn({ service: 'events', resource: 'rule', resourceName: 'StepFunctionsGetEventForCodeBuildStartBuildRule' })],
    }),
  );
}

/** Publishes `<path>.subject` / `<path>.message` to the topic; a notification never fails a run. */
export function notify(scope: Construct, id: string, topic: sns.ITopic, next: sfn.IChainable, path = '$.outcome.value'): sfn.IChainable {
  const publish = new tasks.SnsPublish(scope, id, {
    topic,
    subject: sfn.JsonPath.stringAt(`${path}.subject`),
    message: sfn.TaskInput.fromJsonPathAt(`${path}.message`),
    resultPath: sfn.JsonPath.DISCARD,
  });
  publish.addRetry({ errors: ['SNS.ThrottledException', 'SNS.InternalErrorException'], interval: Duration.seconds(2), maxAttempts: 3 });
  publish.addCatch(next, { resultPath: '$.notifyError' });
  return publish.next(next);
}


/** The wildcard findings a state machine of ours raises on its role's policy, each acknowledged for its reason. */
export function acknowledgeWorkflowFindings(machine: sfn.StateMachine, ...functions: lambda.IFunction[]): void {
  Validations.of(defaultPolicyOf(machine.role)).acknowledge(
    {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray (PutTraceSegments, PutTelemetryRecords, sampling rules) and the CloudWatch Logs delivery of Step Functions (CreateLogDelivery and its kin) accept no narrower resource.',
    },
    ...functions.map((fn) => ({
      id: `AwsSolutions-IAM5[Resource::${nagResource(machine, fn.functionArn)}:*]`,
      reason: 'aws-cdk-lib\'s LambdaInvoke grants the function\'s ARN and <ARN>:* (its versions and aliases). Our Tasks invoke the unqualified ARN; the wildcard reaches only versions of this same function.',
    })),
  );
}

/** Waits for the deploy lease: a run holding it deploys and tests for minutes, so back off up to 2 minutes. */
export function retryWhileLeaseBusy(claim: tasks.LambdaInvoke, interval: Duration = Duration.seconds(10)): void {
  claim.addRetry({ errors: [WORKFLOW_ERRORS.leaseBusy], interval, backoffRate: 1.5, maxDelay: Duration.minutes(2), maxAttempts: 120, jitterStrategy: sfn.JitterType.FULL });
}

export { LIST_ARTIFACT_VERSIONS } from './template-names';

/**
 * The StartBuild parameters of a deploy or test run: the commit's artifact as the secondary source
 * `artifact`, pinned to one S3 object version (for an S3 source, CodeBuild's source version is the
 * object's version id), so that a later build of the same commit never changes what is deployed.
 */
export function artifactSource(locationPath: string, versionPath: string): Record<string, unknown> {
  return {
    SecondarySourcesOverride: [{ Type: 'S3', 'Location.$': locationPath, SourceIdentifier: 'artifact' }],
    SecondarySourcesVersionOverride: [{ SourceIdentifier: 'artifact', 'SourceVersion.$': versionPath }],
  };
}

/**
 * Lists the versions of the commit's artifact key right after its build (the step Lambda then picks the
 * one the build made: core/artifact-version.ts). The state machine may list versions under `artifacts/`
 * of this bucket only. A failure to list is retried briefly, then caught as the build's.
 */
export function listArtifactVersions(scope: Construct, id: string, props: { bucketPath: string; keyPath: string; resultPath: string }): sfn.CustomState {
  // The whole answer is kept: a ResultSelector would fail the run uncatchably on a key with no versions.
  return new sfn.CustomState(scope, id, {
    stateJson: {
      Type: 'Task',
      Comment: 'Which versions does the artifact key have now? (the build stored one of them)',
      Resource: LIST_ARTIFACT_VERSIONS,
      Parameters: { 'Bucket.$': props.bucketPath, 'Prefix.$': props.keyPath, MaxKeys: 100 },
      ResultPath: props.resultPath,
    },
  }).addRetry({ errors: [sfn.Errors.TASKS_FAILED], interval: Duration.seconds(2), maxAttempts: 3, backoffRate: 2 });
}

/** What `listArtifactVersions` needs of the state machine's role: the bucket's versions under `artifacts/`. */
export function grantListArtifactVersions(machine: sfn.StateMachine, bucket: s3.IBucket): void {
  machine.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['s3:ListBucketVersions'],
      resources: [bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': 'artifacts/*' } },
    }),
  );
}

/** The `projects` setting of a step function: each repository's build, deploy and test project names. */
export function projectNames(projects: ReadonlyMap<string, BuildProjects>): Record<string, { build: string; deploy: string; test: string }> {
  return Object.fromEntries([...projects.entries()].map(([name, p]) => [name, { ...p.names }]));
}
