import { describe, expect, it } from 'vitest';
import { eventually } from '../../../support/eventually';
import {
  InvalidDefinitionError,
  InvalidNameError,
  LocalWorkflowRunner,
  TaskFailure,
  UnsupportedDefinitionError,
} from '../../../../adapters/local/workflow';
import type { AslDefinition, JsonObject } from '../../../../adapters/local/workflow';

const until = <T>(probe: () => T | undefined) => eventually(probe, { timeoutMs: 3000, intervalMs: 5 });

const SNS_WAIT = 'arn:aws:states:::sns:publish.waitForTaskToken';

/** Asks each reviewer in a Map, each iteration waiting for its own answer. */
const reviews: AslDefinition = {
  StartAt: 'AskEach',
  States: {
    AskEach: {
      Type: 'Map',
      ItemsPath: '$.reviewers',
      ItemProcessor: {
        StartAt: 'Ask',
        States: {
          Ask: {
            Type: 'Task',
            Resource: SNS_WAIT,
            Parameters: { TopicArn: 'arn:aws:sns:us-east-1:000000000000:reviews', 'Message.$': "States.Format('{} {}', $, $$.Task.Token)" },
            End: true,
          },
        },
      },
      End: true,
    },
  },
};

describe('LocalWorkflowRunner with hand-written ASL', () => {
  it('gives every Map iteration its own token, also inside intrinsic functions', async () => {
    // Prepare
    const messages: string[] = [];
    const runner = new LocalWorkflowRunner({ definition: reviews, handlers: { sns: (params) => void messages.push(String(params.Message)) } });
    const execution = runner.start({ reviewers: ['ann', 'ben', 'cy'] });
    const pending = await until(() => (runner.tokens.pending().length === 3 ? runner.tokens.pending() : undefined));

    // Act
    for (const task of pending) await runner.tokens.sendTaskSuccess(task.taskToken, JSON.stringify(messages.find((m) => m.endsWith(task.taskToken))?.split(' ')[0]));
    const result = await execution.result;

    // Assess
    expect(new Set(pending.map((task) => task.taskToken)).size).toBe(3);
    expect(result).toEqual({ status: 'SUCCEEDED', output: ['ann', 'ben', 'cy'] });
  });

  it('serves an exact resource with a generic handler, which may choose the error and cause', async () => {
    // Prepare
    const definition: AslDefinition = {
      StartAt: 'Custom',
      States: {
        Custom: {
          Type: 'Task',
          Resource: 'arn:aws:states:::events:putEvents',
          Catch: [{ ErrorEquals: ['EventBridge.Throttled'], ResultPath: '$.caught', Next: 'Done' }],
          Next: 'Done',
        },
        Done: { Type: 'Succeed' },
      },
    };
    const runner = new LocalWorkflowRunner({
      definition,
      handlers: {
        resources: {
          'arn:aws:states:::events:putEvents': () => {
            throw new TaskFailure('EventBridge.Throttled', 'slow down');
          },
        },
      },
    });

    // Act
    const result = await runner.start({ a: 1 }).result;

    // Assess
    expect(result).toEqual({ status: 'SUCCEEDED', output: { a: 1, caught: { Error: 'EventBridge.Throttled', Cause: 'slow down' } } });
  });

  it('fails the Task when the handler of a waiting task throws, and leaves no token open', async () => {
    // Prepare
    const runner = new LocalWorkflowRunner({
      definition: reviews,
      handlers: {
        sns: () => {
          throw Object.assign(new Error('Topic does not exist'), { name: 'NotFoundException' });
        },
      },
    });

    // Act
    const result = await runner.start({ reviewers: ['ann'] }).result;

    // Assess
    expect(result).toEqual({ status: 'FAILED', error: 'SNS.NotFoundException', cause: 'Topic does not exist' });
    expect(runner.tokens.pending()).toEqual([]);
  });

  it('refuses JSONata, invalid ASL and invalid execution names', () => {
    // Prepare
    const jsonata: AslDefinition = { QueryLanguage: 'JSONata', StartAt: 'P', States: { P: { Type: 'Pass', End: true } } };
    const invalid = { StartAt: 'Missing', States: { P: { Type: 'Pass', End: true } } } as AslDefinition;
    const fine = new LocalWorkflowRunner({ definition: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }, handlers: {} });

    // Act
    const withJsonata = () => new LocalWorkflowRunner({ definition: jsonata, handlers: {} });
    const withInvalid = () => new LocalWorkflowRunner({ definition: invalid, handlers: {} });
    const badName = () => fine.start({}, { name: 'has space' });

    // Assess
    expect(withJsonata).toThrow(UnsupportedDefinitionError);
    expect(withInvalid).toThrow(InvalidDefinitionError);
    expect(badName).toThrow(InvalidNameError);
  });

  it('lets a Fail state set the execution error and cause, and passes context values', async () => {
    // Prepare
    const definition: AslDefinition = {
      StartAt: 'Name',
      States: {
        Name: { Type: 'Pass', Parameters: { 'name.$': '$$.Execution.Name', 'machine.$': '$$.StateMachine.Name' }, Next: 'Stop' },
        Stop: { Type: 'Fail', Error: 'ReleaseRejected', CausePath: '$.name' },
      },
    };
    const runner = new LocalWorkflowRunner({ definition, handlers: {}, stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:Release' });

    // Act
    const execution = runner.start({}, { name: 'run-1' });
    const result = await execution.result;

    // Assess
    expect(result).toEqual({ status: 'FAILED', error: 'ReleaseRejected', cause: 'run-1' });
    expect(execution.executionArn).toBe('arn:aws:states:us-east-1:000000000000:execution:Release:run-1');
    expect(runner.describe(execution.executionArn)).toBe(execution);
    expect(execution.history.find((e) => e.stateName === 'Name' && e.type === 'StateExited')?.output).toEqual({ name: 'run-1', machine: 'Release' } as JsonObject);
  });
});
