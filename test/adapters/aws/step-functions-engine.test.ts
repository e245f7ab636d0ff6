import { ExecutionAlreadyExists, ExecutionLimitExceeded, SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient, StartExecutionCommand, TaskTimedOut } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { StepFunctionsEngine } from '../../../adapters/aws/step-functions-engine';
import { ConflictError, TransientError } from '../../../core/errors';
import type { ContinuousInput } from '../../../core/ports';

const CONTINUOUS = 'arn:aws:states:us-east-1:123456789012:stateMachine:Continuous';
const PROMOTION = 'arn:aws:states:us-east-1:123456789012:stateMachine:Promotion';
const input: ContinuousInput = {
  repository: 'sample-service',
  environment: 'integration',
  branch: 'main',
  commit: 'a'.repeat(40),
  message: 'Fix "quotes" and ünïcode',
  author: 'Ana <ana@example.com>',
  requestedBy: 'push:github:d-1',
};

describe('StepFunctionsEngine', () => {
  const sfn = mockClient(SFNClient);
  const engine = new StepFunctionsEngine(new SFNClient({}), { continuous: CONTINUOUS, promotion: PROMOTION });
  beforeEach(() => sfn.reset());

  it('starts the continuous machine under the given name with the input as JSON', async () => {
    // Prepare
    sfn.on(StartExecutionCommand).resolves({ executionArn: `${CONTINUOUS.replace(':stateMachine:', ':execution:')}:run-1`, startDate: new Date() });

    // Act
    const result = await engine.startContinuous(input, 'run-1');

    // Assess
    expect(result).toEqual({ started: true, executionId: 'arn:aws:states:us-east-1:123456789012:execution:Continuous:run-1' });
    const [call] = sfn.commandCalls(StartExecutionCommand);
    expect(call?.args[0].input).toMatchObject({ stateMachineArn: CONTINUOUS, name: 'run-1' });
    expect(JSON.parse(call?.args[0].input.input ?? '')).toEqual(input);
  });

  it('answers started: false when the name was used before', async () => {
    // Prepare
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));

    // Act
    const result = await engine.startContinuous(input, 'run-1');

    // Assess
    expect(result).toEqual({ started: false, executionId: 'arn:aws:states:us-east-1:123456789012:execution:Continuous:run-1' });
  });

  it.each([
    ['throttling', Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' })],
    ['too many open executions', new ExecutionLimitExceeded({ message: 'limit', $metadata: {} })],
    ['a server fault', Object.assign(new Error('oops'), { name: 'InternalFailure', $fault: 'server' })],
  ])('turns %s into a retryable TransientError', async (_what, error) => {
    // Prepare
    sfn.on(StartExecutionCommand).rejects(error);

    // Act
    const starting = engine.startContinuous(input, 'run-1');

    // Assess
    await expect(starting).rejects.toBeInstanceOf(TransientError);
  });

  it('starts a promotion on the promotion machine, and refuses without one', async () => {
    // Prepare
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:x', startDate: new Date() });
    const promotion = { releaseId: 'r-1', repository: 'sample-service', environment: 'production', commit: 'b'.repeat(40), kind: 'release' as const, requestedBy: 'ana' };

    // Act
    await engine.startPromotion(promotion, 'r-1');
    const without = new StepFunctionsEngine(new SFNClient({}), { continuous: CONTINUOUS }).startPromotion(promotion, 'r-1');

    // Assess
    expect(sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input.stateMachineArn).toBe(PROMOTION);
    await expect(without).rejects.toThrow('no promotion state machine');
  });

  it('sends task success with the output as JSON and task failure with error and cause', async () => {
    // Prepare
    sfn.on(SendTaskSuccessCommand).resolves({});
    sfn.on(SendTaskFailureCommand).resolves({});

    // Act
    await engine.sendTaskSuccess('token-1', { decision: 'approve' });
    await engine.sendTaskFailure('token-2', 'Rejected', 'not tested enough');

    // Assess
    expect(sfn.commandCalls(SendTaskSuccessCommand)[0]?.args[0].input).toEqual({ taskToken: 'token-1', output: '{"decision":"approve"}' });
    expect(sfn.commandCalls(SendTaskFailureCommand)[0]?.args[0].input).toEqual({ taskToken: 'token-2', error: 'Rejected', cause: 'not tested enough' });
  });

  it('turns a task that no longer waits into a ConflictError', async () => {
    // Prepare
    sfn.on(SendTaskSuccessCommand).rejects(new TaskTimedOut({ message: 'Task Timed Out', $metadata: {} }));

    // Act
    const sending = engine.sendTaskSuccess('token-1', {});

    // Assess
    await expect(sending).rejects.toBeInstanceOf(ConflictError);
  });
});
