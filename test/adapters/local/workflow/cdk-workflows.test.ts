import { beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../../support/eventually';
import {
  ExecutionAlreadyExistsError,
  LocalWorkflowRunner,
  renderDefinition,
  TaskTokenRegistry,
  UnservedTaskError,
  validateDefinition,
} from '../../../../adapters/local/workflow';
import type {
  CfnTemplate,
  DynamoDbHandler,
  JsonObject,
  JsonValue,
  LambdaHandler,
  LocalWorkflowRunnerOptions,
  RenderedWorkflow,
  TaskHandlers,
} from '../../../../adapters/local/workflow';
import { synthesizeWorkflows } from './workflow-fixtures';

let template: CfnTemplate;
beforeAll(() => {
  template = synthesizeWorkflows();
});

function render(prefix: string): RenderedWorkflow {
  const rendered = renderDefinition(template, { logicalIdPrefix: `${prefix}Scope${prefix}` });
  expect(validateDefinition(rendered.definition)).toEqual([]);
  return rendered;
}

/** Lambda handlers by construct id: the way local mode maps a FunctionName back to in-process code. */
function lambdas(rendered: RenderedWorkflow, byConstructId: Record<string, (payload: JsonValue) => unknown>): LambdaHandler {
  return (functionRef, payload) => {
    const logicalId = rendered.logicalIdOf(functionRef) ?? '';
    const [, handler] = Object.entries(byConstructId).find(([id]) => logicalId.startsWith(id)) ?? [];
    if (!handler) throw new Error(`no function ${functionRef}`);
    return handler(payload);
  };
}

function runner(rendered: RenderedWorkflow, handlers: TaskHandlers, more: Partial<LocalWorkflowRunnerOptions> = {}): LocalWorkflowRunner {
  return new LocalWorkflowRunner({ definition: rendered.definition, handlers, ...more });
}

const until = <T>(probe: () => T | undefined, what: string) => eventually(probe, { what, timeoutMs: 3000, intervalMs: 5 });

function named(name: string, message = name): Error {
  return Object.assign(new Error(message), { name });
}

/** A DynamoDB that knows just the two conditions the Pipeline uses. */
function fakeDynamo(): { handler: DynamoDbHandler; items: Map<string, JsonObject> } {
  const items = new Map<string, JsonObject>();
  const handler: DynamoDbHandler = (action, params) => {
    const key = JSON.stringify(action === 'putItem' ? (params.Item as JsonObject).pk : (params.Key as JsonObject).pk);
    if (action === 'putItem') {
      if (items.has(key)) throw named('ConditionalCheckFailedException', 'The conditional request failed');
      items.set(key, params.Item as JsonObject);
      return { $metadata: { httpStatusCode: 200 } };
    }
    const item = items.get(key);
    if (!item) throw named('ConditionalCheckFailedException', 'The conditional request failed');
    const runs = String(Number((item.runs as { N?: string } | undefined)?.N ?? 0) + 1);
    items.set(key, { ...item, runs: { N: runs } });
    return { Attributes: { runs: { N: runs } }, $metadata: {} };
  };
  return { handler, items };
}

describe('rendering the synthesized state machines', () => {
  it('finds a state machine by construct path, tag or logical id prefix', () => {
    // Prepare
    const byPrefix = renderDefinition(template, { logicalIdPrefix: 'PipelineScope' }).logicalId;

    // Act
    const byPath = renderDefinition(template, { path: 'Workflows/PipelineScope/Pipeline' }).logicalId;
    const byTag = renderDefinition(template, { tag: { key: 'cot:workflow', value: 'pipeline' } }).logicalId;

    // Assess
    expect(byPath).toBe(byPrefix);
    expect(byTag).toBe(byPrefix);
    expect(() => renderDefinition(template, { logicalIdPrefix: 'Nothing' })).toThrow(/No state machine matches.*PipelineScopePipeline/);
  });

  it('resolves every reference to a local value and maps it back to its logical id', () => {
    // Prepare
    const tableId = Object.keys(template.Resources ?? {}).find((id) => id.startsWith('Cmdb')) ?? '';

    // Act
    const rendered = renderDefinition(template, { logicalIdPrefix: 'PipelineScope' }, { overrides: { [tableId]: { Ref: 'cot-cmdb-local' } } });

    // Assess
    const states = rendered.definition.States;
    expect(states.Prepare?.Resource).toBe('arn:aws:states:::lambda:invoke');
    expect((states.Prepare?.Parameters as JsonObject).FunctionName).toMatch(/^arn:aws:lambda:us-east-1:000000000000:function:PrepareFn/);
    expect(states.Stamp?.Resource).toMatch(/^arn:aws:lambda:us-east-1:000000000000:function:StampFn/);
    expect((states.Record?.Parameters as JsonObject).TableName).toBe('cot-cmdb-local');
    expect(rendered.logicalIdOf('cot-cmdb-local')).toBe(tableId);
    expect(rendered.logicalIdOf(`${String(states.Stamp?.Resource)}:$LATEST`)).toMatch(/^StampFn/);
  });
});

describe('Pipeline: Lambda, CodeBuild .sync, DynamoDB, SNS, Choice', () => {
  function pipeline(buildStatus: 'SUCCEEDED' | 'FAILED' = 'SUCCEEDED') {
    const rendered = render('Pipeline');
    const dynamo = fakeDynamo();
    const calls = { builds: [] as JsonObject[], published: [] as JsonObject[], stamps: [] as JsonValue[] };
    const handlers: TaskHandlers = {
      lambda: lambdas(rendered, {
        PrepareFn: (payload) => ({ commit: (payload as { sha: string }).sha.slice(0, 7) }),
        StampFn: (payload) => {
          calls.stamps.push(payload);
          return 'stamped';
        },
      }),
      codebuild: (project, params) => {
        calls.builds.push({ project, ...params });
        return { BuildStatus: buildStatus, Logs: { DeepLink: 'file:///tmp/build.log' } };
      },
      dynamodb: dynamo.handler,
      sns: (params) => {
        calls.published.push(params);
        return { MessageId: 'm-1' };
      },
    };
    return { runner: runner(rendered, handlers), rendered, calls, dynamo };
  }

  it('runs every integration and shapes results as Step Functions does', async () => {
    // Prepare
    const { runner, rendered, calls, dynamo } = pipeline();

    // Act
    const result = await runner.start({ sha: 'abcdef0123', branch: 'main' }, { name: 'push-1' }).result;

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    const output = result.status === 'SUCCEEDED' ? (result.output as JsonObject) : {};
    expect(output.prepared).toEqual({ commit: 'abcdef0', status: 200 });
    expect(output.stamp).toBe('stamped');
    expect(calls.stamps[0]).toMatchObject({ sha: 'abcdef0123' });
    expect(output.build).toMatchObject({ status: 'SUCCEEDED', link: 'file:///tmp/build.log', id: expect.stringMatching(/^BuildProject.*:/) });
    expect(calls.builds[0]).toMatchObject({
      project: rendered.definition.States.Build?.Parameters && expect.stringMatching(/^BuildProject/),
      EnvironmentVariablesOverride: [{ Name: 'COT_COMMIT', Type: 'PLAINTEXT', Value: 'abcdef0' }],
    });
    expect(rendered.logicalIdOf(String(calls.builds[0]?.project))).toMatch(/^BuildProject/);
    expect(dynamo.items.get('{"S":"abcdef0"}')).toEqual({ pk: { S: 'abcdef0' }, runs: { N: '1' } });
    expect(output.count).toEqual({ runs: '1' });
    expect(calls.published[0]).toMatchObject({ Message: 'abcdef0', TopicArn: expect.stringMatching(/^arn:aws:sns:us-east-1:000000000000:Events/) });
    expect(output.published).toMatchObject({ MessageId: 'm-1' });
  });

  it('follows the Choice default, and turns ConditionalCheckFailedException into the AWS error code for Catch', async () => {
    // Prepare
    const { runner } = pipeline();
    await runner.start({ sha: 'abcdef0123', branch: 'feature' }).result;

    // Act
    const second = await runner.start({ sha: 'abcdef0123', branch: 'feature' }).result;

    // Assess
    expect(second.status).toBe('SUCCEEDED');
    const output = second.status === 'SUCCEEDED' ? (second.output as JsonObject) : {};
    expect(output.duplicate).toEqual({ Error: 'DynamoDB.ConditionalCheckFailedException', Cause: 'The conditional request failed' });
    expect(output.skipped).toBeUndefined();
  });

  it('fails the Task with States.TaskFailed and the build as Cause when the build fails', async () => {
    // Prepare
    const { runner } = pipeline('FAILED');

    // Act
    const result = await runner.start({ sha: 'abcdef0123', branch: 'main' }).result;

    // Assess
    const failure = result.status === 'SUCCEEDED' ? ((result.output as JsonObject).failure as JsonObject) : {};
    expect(failure.Error).toBe('States.TaskFailed');
    expect(JSON.parse(String(failure.Cause))).toMatchObject({ BuildStatus: 'FAILED', BuildComplete: true, Logs: { DeepLink: 'file:///tmp/build.log' } });
  });

  it('reports progress events for each state', async () => {
    // Prepare
    const { runner } = pipeline();
    const seen: string[] = [];

    // Act
    const execution = runner.start({ sha: 'abcdef0123', branch: 'main' });
    execution.subscribe((event) => seen.push(`${event.type}:${event.stateName ?? ''}`));
    await execution.result;

    // Assess
    expect(seen).toContain('StateEntered:Build');
    expect(seen).toContain('StateExited:Announce');
    expect(seen.at(-1)).toBe('ExecutionSucceeded:');
    expect(execution.history[0]?.type).toBe('ExecutionStarted');
  });
});

describe('Retrying: Retry with backoff and Catch on named Lambda errors', () => {
  function retrying(deploy: (attempt: number) => unknown) {
    const rendered = render('Retrying');
    let attempts = 0;
    const handlers = { lambda: lambdas(rendered, { DeployFn: () => deploy(++attempts) }) };
    // IntervalSeconds is a whole number of seconds in ASL: the test shortens the waits instead.
    return { runner: runner(rendered, handlers, { retryIntervalOverrides: { Deploy: 1 } }), attempts: () => attempts };
  }

  it('retries a retryable error until it passes', async () => {
    // Prepare
    const { runner, attempts } = retrying((attempt) => {
      if (attempt < 3) throw named('LeaseBusyError');
      return { deployed: true };
    });

    // Act
    const execution = runner.start({});
    const result = await execution.result;

    // Assess
    expect(result).toEqual({ status: 'SUCCEEDED', output: { deployed: true } });
    expect(attempts()).toBe(3);
    expect(execution.history.filter((e) => e.type === 'StateRetried').map((e) => e.retryAttempt)).toEqual([1, 2]);
  });

  it('fails with the error name once MaxAttempts is spent', async () => {
    // Prepare
    const { runner, attempts } = retrying(() => {
      throw named('LeaseBusyError', 'lease held');
    });

    // Act
    const result = await runner.start({}).result;

    // Assess
    expect(result).toMatchObject({ status: 'FAILED', error: 'LeaseBusyError' });
    expect(attempts()).toBe(4);
  });

  it('catches a named error with the Lambda-style Cause', async () => {
    // Prepare
    const { runner, attempts } = retrying(() => {
      throw named('ConflictError', 'already released');
    });

    // Act
    const result = await runner.start({ release: 'r1' }).result;

    // Assess
    const output = result.status === 'SUCCEEDED' ? (result.output as JsonObject) : {};
    expect(output.release).toBe('r1');
    expect((output.error as JsonObject).Error).toBe('ConflictError');
    expect(JSON.parse(String((output.error as JsonObject).Cause))).toMatchObject({ errorType: 'ConflictError', errorMessage: 'already released' });
    expect(attempts()).toBe(1);
  });
});

describe('waitForTaskToken', () => {
  function approval(tokens = new TaskTokenRegistry()) {
    const rendered = render('Approval');
    const asked: JsonObject[] = [];
    const handlers = { lambda: lambdas(rendered, { NotifyFn: (payload) => void asked.push(payload as JsonObject) }) };
    return { runner: runner(rendered, handlers, { tokens }), tokens, asked };
  }

  it('waits until SendTaskSuccess arrives from outside, with the token the Lambda was given', async () => {
    // Prepare
    const { runner, tokens, asked } = approval();
    const execution = runner.start({ release: 'r1' });
    const [pending] = await until(() => (tokens.pending().length ? tokens.pending() : undefined), 'the approval task');

    // Act
    expect(execution.status).toBe('RUNNING');
    await tokens.sendTaskSuccess(pending?.taskToken ?? '', JSON.stringify({ approvedBy: 'alice' }));
    const result = await execution.result;

    // Assess
    expect(asked[0]).toEqual({ token: pending?.taskToken, release: 'r1' });
    expect(pending).toMatchObject({ executionArn: execution.executionArn, stateName: 'Ask' });
    expect(result).toEqual({ status: 'SUCCEEDED', output: { release: 'r1', decision: { approvedBy: 'alice' } } });
    await expect(tokens.sendTaskSuccess(pending?.taskToken ?? '', '{}')).rejects.toMatchObject({ name: 'TaskTimedOut' });
  });

  it('fails the Task with the error and cause of SendTaskFailure, matched by Catch', async () => {
    // Prepare
    const { runner, tokens } = approval();
    const execution = runner.start({ release: 'r2' });
    const [pending] = await until(() => (tokens.pending().length ? tokens.pending() : undefined), 'the approval task');

    // Act
    await tokens.sendTaskFailure(pending?.taskToken ?? '', 'ApprovalRejected', 'bob said no');
    const result = await execution.result;

    // Assess
    expect(result).toEqual({ status: 'SUCCEEDED', output: { release: 'r2', rejection: { Error: 'ApprovalRejected', Cause: 'bob said no' } } });
  });

  it('times out with States.Timeout after the Task TimeoutSeconds, and the token is closed', async () => {
    // Prepare
    const { runner, tokens } = approval();
    const started = Date.now();

    // Act
    const execution = runner.start({ release: 'r3' });
    const [pending] = await until(() => (tokens.pending().length ? tokens.pending() : undefined), 'the approval task');
    const result = await execution.result;

    // Assess
    expect(result).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(tokens.pending()).toEqual([]);
    await expect(tokens.sendTaskSuccess(pending?.taskToken ?? '', '{}')).rejects.toMatchObject({ name: 'TaskTimedOut' });
  });

  it('gives two tasks waiting at once (Parallel) distinct tokens, each answered on its own', async () => {
    // Prepare
    const rendered = render('Fanout');
    const asked: JsonObject[] = [];
    const fanout = runner(rendered, { lambda: lambdas(rendered, { NotifyFn: (payload) => void asked.push(payload as JsonObject) }) });
    const execution = fanout.start({});
    const pending = await until(() => (fanout.tokens.pending().length === 2 ? fanout.tokens.pending() : undefined), 'two waiting tasks');

    // Act
    const byState = Object.fromEntries(pending.map((task) => [task.stateName, task.taskToken]));
    await fanout.tokens.sendTaskSuccess(byState.AskOps ?? '', '"ops ok"');
    await fanout.tokens.sendTaskSuccess(byState.AskQa ?? '', '"qa ok"');
    const result = await execution.result;

    // Assess
    expect(byState.AskQa).not.toBe(byState.AskOps);
    expect(asked).toEqual(expect.arrayContaining([{ token: byState.AskQa, who: 'AskQa' }, { token: byState.AskOps, who: 'AskOps' }]));
    expect(result).toEqual({ status: 'SUCCEEDED', output: ['qa ok', 'ops ok'] });
  });

  it('closes the tokens of an aborted execution', async () => {
    // Prepare
    const { runner, tokens } = approval();
    const execution = runner.start({ release: 'r4' });
    const [pending] = await until(() => (tokens.pending().length ? tokens.pending() : undefined), 'the approval task');

    // Act
    execution.abort();
    const result = await execution.result;

    // Assess
    expect(result.status).toBe('ABORTED');
    expect(tokens.pending()).toEqual([]);
    await expect(tokens.sendTaskSuccess(pending?.taskToken ?? '', '{}')).rejects.toMatchObject({ name: 'TaskTimedOut' });
  });
});

describe('refusals and execution names', () => {
  it('refuses a definition with a Task no local handler serves, nested ones included', () => {
    // Prepare
    const rendered = render('Unserved');

    // Act
    const build = () => runner(rendered, { lambda: () => ({}) });

    // Assess
    expect(build).toThrow(UnservedTaskError);
    expect(build).toThrow(/Enqueue: arn:aws:states:::sqs:sendMessage/);
  });

  it('refuses the Pipeline when no CodeBuild handler is given', () => {
    // Prepare
    const rendered = render('Pipeline');

    // Act
    const build = () => runner(rendered, { lambda: () => ({}), dynamodb: () => ({}), sns: () => ({}) });

    // Assess
    expect(build).toThrow(/Build: arn:aws:states:::codebuild:startBuild.sync/);
  });

  it('answers ExecutionAlreadyExists for a used name, and is idempotent while the same input still runs', async () => {
    // Prepare
    const rendered = render('Approval');
    const approval = runner(rendered, { lambda: () => undefined });
    const first = approval.start({ release: 'r1' }, { name: 'push-abc' });

    // Act
    const again = approval.start({ release: 'r1' }, { name: 'push-abc' });
    const otherInput = () => approval.start({ release: 'r2' }, { name: 'push-abc' });
    first.abort();
    await first.result;
    const afterEnd = () => approval.start({ release: 'r1' }, { name: 'push-abc' });

    // Assess
    expect(again).toBe(first);
    expect(otherInput).toThrow(ExecutionAlreadyExistsError);
    expect(afterEnd).toThrow(expect.objectContaining({ name: 'ExecutionAlreadyExists' }));
    expect(first.executionArn).toBe('arn:aws:states:us-east-1:000000000000:execution:LocalStateMachine:push-abc');
  });
});
