import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { duration } from '../../cli/render/metrics';
import { startFakeApi, type FakeApi } from './support/api-server';
import { runCot } from './support/run-cot';

const ANSWER = {
  environment: 'production',
  days: 7,
  from: '2030-01-03T00:00:00.000Z',
  to: '2030-01-10T00:00:00.000Z',
  deploymentFrequency: { deployments: 7, perDay: 1 },
  leadTime: { changes: 3, medianSeconds: 100_800, p90Seconds: 108_000 },
  changeFailureRate: { failures: 3, deployments: 7, rate: 0.429 },
  timeToRestore: { restored: 2, unrestored: 1, medianSeconds: 3600 },
  daily: [],
};

describe('cot metrics', () => {
  let api: FakeApi;
  beforeAll(async () => {
    api = await startFakeApi();
  });
  afterAll(() => api.close());

  it('asks GET /api/metrics with the environment and days, and prints the four keys', async () => {
    api.handle(() => ({ status: 200, body: ANSWER }));
    const run = await runCot(['--endpoint', api.url, 'metrics', '--environment', 'production', '--days', '7']);
    expect(run.code).toBe(0);
    expect(api.requests.map((request) => `${request.method} ${request.url}`)).toEqual(['GET /api/metrics?environment=production&days=7']);
    expect(run.stdout).toBe(
      [
        'production, last 7 days',
        'deployment frequency   7 deployments, 1 a day',
        'lead time for changes  median 1d 4h, p90 1d 6h (3 changes)',
        'change failure rate    42.9% (3 of 7)',
        'time to restore        median 1h (2 restored), 1 not restored yet',
        '',
      ].join('\n'),
    );
  });

  it('prints the answer as is with --json, and asks for the defaults without options', async () => {
    api.handle(() => ({ status: 200, body: ANSWER }));
    const run = await runCot(['--endpoint', api.url, 'metrics', '--json']);
    expect(api.requests.map((request) => request.url)).toEqual(['/api/metrics']);
    expect(JSON.parse(run.stdout)).toEqual(ANSWER);
  });

  it('exits 2 on a refused request', async () => {
    api.handle(() => ({ status: 400, body: { error: 'invalid_request', message: 'invalid query: days too big' } }));
    const run = await runCot(['--endpoint', api.url, 'metrics', '--days', '999']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('days too big');
  });

  it.each([
    [null, '-'],
    [0, '0s'],
    [59, '59s'],
    [90, '1m 30s'],
    [3600, '1h'],
    [93_600, '1d 2h'],
    [86_405, '1d'],
  ])('duration(%j) is %s', (seconds, text) => {
    expect(duration(seconds)).toBe(text);
  });
});
