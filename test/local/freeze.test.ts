import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config-file';
import { ReleaseConfig } from '../../core/config';
import { operatorApiHandler } from '../../lambdas/operator-api';
import { localHarness } from '../support/local-harness';
import { operatorEvent } from '../support/operator-event';

const OPERATOR = 'local:alice';

function apiEvent(method: string, path: string, body?: unknown): APIGatewayProxyEvent {
  return operatorEvent(method, path, body, OPERATOR);
}

describe('local mode: a release into a frozen environment', () => {
  it('is refused with the window and its reason, then goes ahead with an override that the release and the history keep', async () => {
    // Prepare: the shipped config, with preproduction frozen from a day ago to a day from now.
    const shipped = loadConfig('release.config.yaml');
    const day = 86_400_000;
    const window = { from: new Date(Date.now() - day).toISOString(), to: new Date(Date.now() + day).toISOString(), reason: 'Quarter-end close' };
    const config = ReleaseConfig.parse({
      ...shipped,
      environments: shipped.environments.map((env) => (env.name === 'preproduction' ? { ...env, freeze: [window] } : env)),
    });
    const h = await localHarness({ config });
    const push = await h.push('Change during the freeze');
    expect((await h.runContinuous(push)).status).toBe('SUCCEEDED');
    const api = operatorApiHandler(h.release.handlers.operatorApi());
    const request = { repository: 'sample-service', environment: 'preproduction', ref: push.commit };

    // Act 1: no override.
    const refused = await api(apiEvent('POST', '/api/releases', request));

    // Assess 1: 409 naming the window's end and reason; nothing was started.
    expect(refused.statusCode).toBe(409);
    expect(JSON.parse(refused.body)).toEqual({
      error: 'frozen',
      message: `preproduction is frozen until ${window.to}: Quarter-end close; to release anyway, pass an override saying why (cot release ... --override "why")`,
    });
    expect(h.release.workflows.executions('promotion')).toEqual([]);
    expect((await h.release.stores.releases.boardCell('sample-service', 'preproduction'))?.releaseId ?? null).toBeNull();

    // Act 2: with an override.
    const accepted = await api(apiEvent('POST', '/api/releases', { ...request, override: 'INC-42: the fix cannot wait' }));

    // Assess 2: started, the override recorded on the release and shown in its history row.
    expect(accepted.statusCode).toBe(202);
    const { releaseId } = JSON.parse(accepted.body) as { releaseId: string };
    await h.pendingApproval(releaseId, 'accept');
    const shown = JSON.parse((await api(apiEvent('GET', `/api/releases/${releaseId}`))).body) as Record<string, unknown>;
    const override = { reason: 'INC-42: the fix cannot wait', by: OPERATOR, windows: [{ ...window, reason: 'Quarter-end close' }] };
    expect(shown.freezeOverride).toMatchObject(override);
    expect((shown.history as Array<{ state: string; detail?: string }>)[0]).toMatchObject({ state: 'prepared', by: OPERATOR, detail: 'freeze overridden: INC-42: the fix cannot wait' });
    const history = JSON.parse((await api(apiEvent('GET', '/api/history/sample-service/preproduction'))).body) as { items: Array<Record<string, unknown>> };
    expect(history.items[0]).toMatchObject({ releaseId, freezeOverride: override });

    // A rollback is never frozen: it is refused only for want of an earlier accepted commit, not for the window.
    const rollback = await api(apiEvent('POST', '/api/rollbacks', { repository: 'sample-service', environment: 'preproduction' }));
    expect(JSON.parse(rollback.body)).toMatchObject({ error: 'conflict' });
    h.release.workflows.execution('promotion', releaseId)?.abort();
  }, 90_000);
});
