import { describe, expect, it } from 'vitest';
import { TaskTokenRegistry } from '../../../../adapters/local/workflow';

const task = { executionArn: 'arn:aws:states:us-east-1:000000000000:execution:M:e1', stateName: 'Ask', resource: 'r' };

describe('TaskTokenRegistry', () => {
  it('hands out distinct opaque tokens', () => {
    // Prepare
    const registry = new TaskTokenRegistry();

    // Act
    const tokens = new Set(Array.from({ length: 100 }, () => registry.newToken()));

    // Assess
    expect(tokens.size).toBe(100);
  });

  it.each([
    ['an unknown token', 'nope', '{}', 'InvalidToken'],
    ['output that is not JSON', 'open', '{oops', 'InvalidOutput'],
  ])('rejects %s with the SDK error name', async (_case, which, output, name) => {
    // Prepare
    const registry = new TaskTokenRegistry();
    const token = registry.newToken();
    void registry.wait(token, task);

    // Act
    const send = registry.sendTaskSuccess(which === 'open' ? token : which, output);

    // Assess
    await expect(send).rejects.toMatchObject({ name });
  });

  it('keeps a token open after bad output, lists it, and answers it once', async () => {
    // Prepare
    const registry = new TaskTokenRegistry();
    const token = registry.newToken();
    const answer = registry.wait(token, task);
    await registry.sendTaskSuccess(token, '{oops').catch(() => undefined);

    // Act
    const listed = registry.pending({ executionArn: task.executionArn });
    await registry.sendTaskHeartbeat(token);
    await registry.sendTaskSuccess(token, '{"ok":true}');

    // Assess
    expect(listed).toEqual([expect.objectContaining({ taskToken: token, stateName: 'Ask' })]);
    await expect(answer).resolves.toEqual({ ok: true });
    expect(registry.pending()).toEqual([]);
    await expect(registry.sendTaskFailure(token, 'X')).rejects.toMatchObject({ name: 'TaskTimedOut' });
  });

  it('fails the wait with the given error, States.TaskFailed when none is given', async () => {
    // Prepare
    const registry = new TaskTokenRegistry();
    const [first, second] = [registry.newToken(), registry.newToken()];
    const waits = [registry.wait(first, task), registry.wait(second, task)];

    // Act
    await registry.sendTaskFailure(first, 'Rejected', 'no');
    await registry.sendTaskFailure(second);

    // Assess
    await expect(waits[0]).rejects.toMatchObject({ name: 'Rejected', message: 'no' });
    await expect(waits[1]).rejects.toMatchObject({ name: 'States.TaskFailed' });
  });
});
