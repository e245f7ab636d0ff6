import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { coldStartHandler } from '../../lambdas/aws-wiring';
import { handler as operatorApi } from '../../lambdas/operator-api';
import { handler as webhook } from '../../lambdas/webhook';

describe('Lambda entry points', () => {
  it('make their dependencies once, on the first invocation', async () => {
    const make = vi.fn(() => async (event: number) => event * 2);
    const entry = coldStartHandler(make);

    expect(make).not.toHaveBeenCalled();
    expect([await entry(1), await entry(2)]).toEqual([2, 4]);
    expect(make).toHaveBeenCalledTimes(1);
  });

  it('answer 503 without details when the environment the stack sets is missing', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const event = { httpMethod: 'POST', path: '/webhooks/github', headers: {}, body: '{}' } as unknown as APIGatewayProxyEvent;

    for (const entry of [webhook, operatorApi]) {
      const answer = await entry(event);
      expect(answer.statusCode).toBe(503);
      expect(JSON.parse(answer.body)).toMatchObject({ error: 'unavailable' });
      expect(answer.body).not.toMatch(/TABLE_NAME|\n\s+at /);
    }
  });

  it('let a workflow step fail (for its Retry/Catch) when it cannot start', async () => {
    await expect(coldStartHandler(() => { throw new Error('TABLE_NAME is not set'); })(1)).rejects.toThrow('TABLE_NAME is not set');
  });
});
