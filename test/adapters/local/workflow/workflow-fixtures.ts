import { App, Duration, Stack, Tags } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import type { CfnTemplate } from '../../../../adapters/local/workflow';
import { testAppProps } from '../../../support/cdk-app';

/**
 * Small state machines built with the real CDK constructs, in one stack synthesized once per test file:
 * Pipeline (Lambda both ways, CodeBuild .sync, DynamoDB put/update with conditions, SNS, Choice),
 * Retrying (Retry with backoff + Catch), Approval (waitForTaskToken with a 1 s timeout),
 * Fanout (Parallel of two waiting tasks), Unserved (an SQS Task nested in a Parallel).
 */
export function synthesizeWorkflows(): CfnTemplate {
  const app = new App(testAppProps({ 'aws:cdk:bundling-stacks': [], 'aws:cdk:enable-path-metadata': true }));
  const stack = new Stack(app, 'Workflows');
  const fn = (id: string) =>
    new lambda.Function(stack, id, { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = 1') });
  const prepare = fn('PrepareFn');
  const stamp = fn('StampFn');
  const deploy = fn('DeployFn');
  const notify = fn('NotifyFn');
  const project = new codebuild.Project(stack, 'BuildProject', { buildSpec: codebuild.BuildSpec.fromObject({ version: '0.2' }) });
  const table = new dynamodb.TableV2(stack, 'Cmdb', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
  const topic = new sns.Topic(stack, 'Events');
  const queue = new sqs.Queue(stack, 'Queue');

  const machine = (id: string, chain: sfn.IChainable, props: Partial<sfn.StateMachineProps> = {}) => {
    const scope = new Construct(stack, `${id}Scope`);
    return new sfn.StateMachine(scope, id, { definitionBody: sfn.DefinitionBody.fromChainable(chain), ...props });
  };

  // Pipeline
  const commit = sfn.JsonPath.stringAt('$.prepared.commit');
  const pipeline = new Construct(stack, 'PipelineStates');
  const build = new tasks.CodeBuildStartBuild(pipeline, 'Build', {
    project,
    integrationPattern: sfn.IntegrationPattern.RUN_JOB,
    environmentVariablesOverride: { COT_COMMIT: { type: codebuild.BuildEnvironmentVariableType.PLAINTEXT, value: commit } },
    resultSelector: { id: sfn.JsonPath.stringAt('$.Build.Id'), status: sfn.JsonPath.stringAt('$.Build.BuildStatus'), link: sfn.JsonPath.stringAt('$.Build.Logs.DeepLink') },
    resultPath: '$.build',
  }).addCatch(new sfn.Pass(pipeline, 'BuildFailed'), { errors: ['States.TaskFailed'], resultPath: '$.failure' });
  const record = new tasks.DynamoPutItem(pipeline, 'Record', {
    table,
    item: { pk: tasks.DynamoAttributeValue.fromString(commit) },
    conditionExpression: 'attribute_not_exists(pk)',
    resultPath: sfn.JsonPath.DISCARD,
  }).addCatch(new sfn.Pass(pipeline, 'AlreadyRecorded'), { errors: ['DynamoDB.ConditionalCheckFailedException'], resultPath: '$.duplicate' });
  const count = new tasks.DynamoUpdateItem(pipeline, 'Count', {
    table,
    key: { pk: tasks.DynamoAttributeValue.fromString(commit) },
    updateExpression: 'ADD runs :one',
    conditionExpression: 'attribute_exists(pk)',
    expressionAttributeValues: { ':one': tasks.DynamoAttributeValue.fromNumber(1) },
    returnValues: tasks.DynamoReturnValues.UPDATED_NEW,
    resultSelector: { runs: sfn.JsonPath.stringAt('$.Attributes.runs.N') },
    resultPath: '$.count',
  });
  const announce = new tasks.SnsPublish(pipeline, 'Announce', { topic, message: sfn.TaskInput.fromJsonPathAt('$.prepared.commit'), resultPath: '$.published' });
  const isMain = new sfn.Choice(pipeline, 'IsMain')
    .when(sfn.Condition.stringEquals('$.branch', 'main'), new sfn.Succeed(pipeline, 'Released'))
    .otherwise(new sfn.Pass(pipeline, 'Skipped', { result: sfn.Result.fromString('not main'), resultPath: '$.skipped' }));
  const pipelineMachine = machine(
    'Pipeline',
    new tasks.LambdaInvoke(pipeline, 'Prepare', {
      lambdaFunction: prepare,
      payloadResponseOnly: false,
      resultSelector: { commit: sfn.JsonPath.stringAt('$.Payload.commit'), status: sfn.JsonPath.numberAt('$.StatusCode') },
      resultPath: '$.prepared',
    })
      .next(new tasks.LambdaInvoke(pipeline, 'Stamp', { lambdaFunction: stamp, payloadResponseOnly: true, resultPath: '$.stamp' }))
      .next(build.next(record.next(count).next(announce).next(isMain))),
    { definitionSubstitutions: { Unused: 'x' } },
  );
  Tags.of(pipelineMachine).add('cot:workflow', 'pipeline');

  // Retrying
  const retrying = new Construct(stack, 'RetryingStates');
  machine(
    'Retrying',
    new tasks.LambdaInvoke(retrying, 'Deploy', { lambdaFunction: deploy, outputPath: '$.Payload', retryOnServiceExceptions: false })
      .addRetry({ errors: ['LeaseBusyError'], interval: Duration.seconds(1), maxAttempts: 3, backoffRate: 2 })
      .addCatch(new sfn.Pass(retrying, 'DeployFailed'), { errors: ['ConflictError'], resultPath: '$.error' })
      .next(new sfn.Succeed(retrying, 'Deployed')),
  );

  // Approval
  const approval = new Construct(stack, 'ApprovalStates');
  machine(
    'Approval',
    new tasks.LambdaInvoke(approval, 'Ask', {
      lambdaFunction: notify,
      integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      payload: sfn.TaskInput.fromObject({ token: sfn.JsonPath.taskToken, release: sfn.JsonPath.stringAt('$.release') }),
      taskTimeout: sfn.Timeout.duration(Duration.seconds(1)),
      resultPath: '$.decision',
    })
      .addCatch(new sfn.Pass(approval, 'Rejected'), { errors: ['ApprovalRejected'], resultPath: '$.rejection' })
      .next(new sfn.Succeed(approval, 'Approved')),
  );

  // Fanout
  const fanout = new Construct(stack, 'FanoutStates');
  const ask = (id: string) =>
    new tasks.LambdaInvoke(fanout, id, {
      lambdaFunction: notify,
      integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      payload: sfn.TaskInput.fromObject({ token: sfn.JsonPath.taskToken, who: id }),
    });
  machine('Fanout', new sfn.Parallel(fanout, 'AskBoth').branch(ask('AskQa')).branch(ask('AskOps')));

  // Unserved
  const unserved = new Construct(stack, 'UnservedStates');
  machine(
    'Unserved',
    new sfn.Parallel(unserved, 'Both')
      .branch(new tasks.LambdaInvoke(unserved, 'Fine', { lambdaFunction: prepare }))
      .branch(new tasks.SqsSendMessage(unserved, 'Enqueue', { queue, messageBody: sfn.TaskInput.fromText('hi') })),
  );

  return Template.fromStack(stack).toJSON() as CfnTemplate;
}
