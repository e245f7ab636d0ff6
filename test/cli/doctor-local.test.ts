import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/config-file';
import { exitCodeOf, runCheck, type Check, type CheckResult } from '../../cli/doctor/check';
import { checkConfig, gitCheck, javaCheck, localEndpointCheck, nodeCheck, type LocalProbes } from '../../cli/doctor/local-checks';
import { runDoctor } from '../../cli/doctor/run-doctor';
import { renderChecks } from '../../cli/render/doctor';
import { startFakeApi, type FakeApi } from './support/api-server';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function enoent(command: string): Error {
  return Object.assign(new Error(`spawn ${command} ENOENT`), { code: 'ENOENT' });
}

/** Probes of a machine with everything local mode needs and local mode running. */
function probes(overrides: Partial<LocalProbes> = {}): LocalProbes {
  return {
    nodeVersion: () => 'v22.12.0',
    javaVersion: async () => 'openjdk version "17.0.15" 2025-04-15\nOpenJDK Runtime Environment (build 17.0.15+6)\n',
    gitVersion: async () => 'git version 2.39.5\n',
    fetch: async () => new Response('{"status":"ok"}', { status: 200 }),
    ...overrides,
  };
}

const run = (check: Check) => runCheck(check, 200);

describe('Node.js', () => {
  it.each([
    ['v20.19.0', 'ok'],
    ['v20.20.2', 'ok'],
    ['v22.12.0', 'ok'],
    ['v24.0.0', 'ok'],
    ['v20.18.3', 'fail'],
    ['v18.20.0', 'fail'],
  ])('%s is %s', async (version, status) => {
    const result = await run(nodeCheck(probes({ nodeVersion: () => version })));
    expect(result).toMatchObject({ id: 'node', status, title: 'Node.js 20.19+ (22 or 24 are fine)' });
    if (status === 'fail') expect(result.fix).toMatch(/Node\.js 22 or 24/);
  });
});

describe('Java', () => {
  it.each([
    ['openjdk version "17.0.15" 2025-04-15', 'ok', '17.0.15'],
    ['java version "21" 2023-09-19 LTS', 'ok', '21'],
    ['openjdk version "11.0.22" 2024-01-16', 'fail', 'Java 11.0.22 is too old'],
    ['java version "1.8.0_292"', 'fail', 'Java 1.8.0_292 is too old'],
    ['something else entirely', 'warn', 'cannot read a version in: something else entirely'],
  ])('%j is %s', async (printed, status, detail) => {
    const result = await run(javaCheck(probes({ javaVersion: async () => printed })));
    expect(result).toMatchObject({ id: 'java', status, detail });
  });

  it('no java on PATH fails with the install commands', async () => {
    const result = await run(javaCheck(probes({ javaVersion: () => Promise.reject(enoent('java')) })));
    expect(result).toEqual({
      id: 'java',
      status: 'fail',
      title: 'Java 17+ on PATH (for DynamoDB Local)',
      detail: 'no java on PATH',
      fix: 'sudo apt-get install -y openjdk-17-jre-headless (Debian/Ubuntu) or brew install openjdk@17 (macOS)',
    });
  });
});

describe('git', () => {
  it('prints its version when found, the install command when not', async () => {
    expect(await run(gitCheck(probes()))).toMatchObject({ status: 'ok', detail: 'git version 2.39.5' });
    expect(await run(gitCheck(probes({ gitVersion: () => Promise.reject(enoent('git')) })))).toMatchObject({ status: 'fail', detail: 'no git on PATH', fix: expect.stringContaining('apt-get install -y git') });
  });
});

describe('local mode endpoint', () => {
  const endpoint = new URL('http://127.0.0.1:3000');

  it('asks GET /health', async () => {
    const asked: string[] = [];
    const result = await run(localEndpointCheck(probes({ fetch: async (url, init) => (asked.push(`${init.method} ${url}`), new Response('{}', { status: 200 })) }), endpoint));
    expect(asked).toEqual(['GET http://127.0.0.1:3000/health']);
    expect(result).toMatchObject({ id: 'local-endpoint', status: 'ok', title: 'local mode answers at http://127.0.0.1:3000' });
  });

  it('nothing listening is a warning: start it with npm start', async () => {
    const refused = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    const result = await run(localEndpointCheck(probes({ fetch: () => Promise.reject(refused) }), endpoint));
    expect(result).toMatchObject({ status: 'warn', detail: 'not running (ECONNREFUSED)', fix: 'start it with npm start' });
  });

  it.each([
    [503, 'still starting (GET /health answered 503)'],
    [404, 'GET http://127.0.0.1:3000/health answered 404: is this local mode?'],
  ])('an answer of %i is a warning', async (status, detail) => {
    const result = await run(localEndpointCheck(probes({ fetch: async () => new Response('', { status }) }), endpoint));
    expect(result).toMatchObject({ status: 'warn', detail });
  });
});

describe('the config file', () => {
  const config = { product: 'shop', repositories: [{ name: 'a' }, { name: 'b' }], environments: [{ name: 'integration' }] };

  it('says what it loaded', () => {
    const { result } = checkConfig('release.config.yaml', () => config as never);
    expect(result).toEqual({ id: 'config', status: 'ok', title: 'release.config.yaml loads', detail: 'product shop: 2 repositories, 1 environment' });
  });

  it("lists ConfigError's problems and points at the documentation", () => {
    const problems = ['product: is required (string)', 'environments[0].mode: must be one of "continuous", "approval"'];
    const { result, config: loaded } = checkConfig('other.yaml', () => {
      throw new ConfigError('other.yaml', problems);
    });
    expect(loaded).toBeUndefined();
    expect(result).toMatchObject({ status: 'fail', detail: problems.join('; '), fix: 'see docs/configuration.md' });
  });

  it('a missing file says where to run doctor or what to pass', () => {
    const { result } = checkConfig('/nowhere/release.config.yaml');
    expect(result).toMatchObject({ status: 'fail', detail: 'file not found', fix: expect.stringContaining('--config <file>') });
  });
});

describe('every check', () => {
  it('is cut off after its timeout, and its work is aborted', async () => {
    let aborted = false;
    const hangs: Check = {
      id: 'slow',
      title: 'a probe that never answers',
      run: (signal) => new Promise(() => signal.addEventListener('abort', () => (aborted = true))),
    };
    expect(await runCheck(hangs, 20)).toEqual({ id: 'slow', status: 'fail', title: 'a probe that never answers', detail: 'no answer within 20 ms' });
    expect(aborted).toBe(true);
  });

  it('turns a thrown error into a failed check with its message, no stack', async () => {
    const throws: Check = { id: 'x', title: 'x', run: () => Promise.reject(new Error('boom')) };
    const result = await runCheck(throws);
    expect(result).toEqual({ id: 'x', status: 'fail', title: 'x', detail: 'boom' });
  });
});

describe('summary and exit code', () => {
  const ok: CheckResult = { id: 'node', status: 'ok', title: 'Node.js', detail: 'v22.12.0' };
  const warn: CheckResult = { id: 'local-endpoint', status: 'warn', title: 'local mode', detail: 'not running', fix: 'start it with npm start' };
  const fail: CheckResult = { id: 'java', status: 'fail', title: 'Java', detail: 'no java on PATH', fix: 'install it' };

  it('warnings still exit 0; a failure exits 1', () => {
    expect(exitCodeOf([ok, warn])).toBe(0);
    expect(exitCodeOf([ok, warn, fail])).toBe(1);
  });

  it('prints one line per check, the fix of each problem, then the counts', () => {
    expect(renderChecks([ok, warn, fail], { color: false })).toBe(
      'ok    Node.js: v22.12.0\n' +
        'warn  local mode: not running. Fix: start it with npm start\n' +
        'fail  Java: no java on PATH. Fix: install it\n' +
        '\n1 failed, 1 warning, 1 ok\n',
    );
    expect(renderChecks([ok], { color: false })).toMatch(/\nnothing failed, 0 warnings, 1 ok\n$/);
  });

  it('local mode: node, java, config, git, endpoint, in that order; no AWS client is made', async () => {
    const results = await runDoctor(
      { target: 'local', configFile: 'release.config.yaml', endpoint: new URL('http://127.0.0.1:3000') },
      { probes: probes({ javaVersion: () => Promise.reject(enoent('java')) }), loadConfig: () => ({ product: 'p', repositories: [], environments: [] }) as never, awsClients: () => Promise.reject(new Error('no AWS in local mode')) },
    );
    expect(results.map((result) => [result.id, result.status])).toEqual([
      ['node', 'ok'],
      ['java', 'fail'],
      ['config', 'ok'],
      ['git', 'ok'],
      ['local-endpoint', 'ok'],
    ]);
    expect(exitCodeOf(results)).toBe(1);
  });
});

describe('cot doctor --json, run as a process', () => {
  let api: FakeApi;
  beforeAll(async () => {
    api = await startFakeApi();
    api.handle((request) => (request.url === '/health' ? { status: 200, body: { status: 'ok' } } : { status: 404 }));
  });
  afterAll(() => api.close());

  it('prints the checks as a JSON array and exits by their statuses', async () => {
    // Prepare: no AWS settings reach the child; local mode never makes a client anyway.
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('AWS_') && key !== 'COT_ENDPOINT'));
    // Act
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, ['bin/cot.mjs', '--endpoint', api.url, 'doctor', '--json'], { cwd: ROOT, env: { ...env, NO_COLOR: '1' } }, (error, out, err) => {
        resolve({ code: error ? Number(error.code ?? -1) : 0, stdout: out, stderr: err });
      });
    });
    // Assess
    expect(stderr).toBe('');
    const results = JSON.parse(stdout) as CheckResult[];
    expect(results.map((result) => result.id)).toEqual(['node', 'java', 'config', 'git', 'local-endpoint']);
    for (const result of results) {
      expect(Object.keys(result).every((key) => ['id', 'status', 'title', 'detail', 'fix'].includes(key))).toBe(true);
      expect(['ok', 'warn', 'fail']).toContain(result.status);
      expect(typeof result.title).toBe('string');
    }
    expect(results.find((result) => result.id === 'local-endpoint')).toMatchObject({ status: 'ok', detail: `GET ${api.url}/health answered 200` });
    expect(results.find((result) => result.id === 'config')).toMatchObject({ status: 'ok' });
    expect(api.requests.map((request) => `${request.method} ${request.url}`)).toEqual(['GET /health']);
    expect(code).toBe(results.some((result) => result.status === 'fail') ? 1 : 0);
  });
});
