import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { commitStatusHosts } from '../../../adapters/aws/commit-status-hosts';
import { FileSecretStore } from '../../../adapters/local/file-secret-store';
import { CommitStatuses, type CommitStatus } from '../../../core/commit-status';
import { RepositoryConfig } from '../../../core/config';
import { gitHostServer, type GitHostServer, type SeenRequest } from '../../support/git-host-server';
import { tempDir } from '../../support/temp-dir';

const SHA = '4f9c2e1ab0d1c2e3f4a5b6c7d8e9f0a1b2c3d4e5';

/** A stand-in git host on loopback (test/support/git-host-server.ts). */
let host: GitHostServer;
let base: string;
let seen: SeenRequest[];
beforeAll(async () => {
  host = await gitHostServer();
  ({ base, seen } = host);
});
afterAll(() => host.close());
beforeEach(() => host.reset());

function statuses(errors: unknown[] = []) {
  const dataDir = tempDir('status');
  mkdirSync(join(dataDir, 'secrets'));
  for (const name of ['gh-token', 'gl-token', 'bb-token']) writeFileSync(join(dataDir, 'secrets', name), `${name}-value`);
  const repositories = [
    { name: 'web', provider: 'github', url: 'https://github.com/acme/web', commitStatus: { tokenSecret: 'gh-token', apiUrl: base } },
    { name: 'payments', provider: 'gitlab', url: 'https://gitlab.example.com/acme/team/payments', commitStatus: { tokenSecret: 'gl-token', apiUrl: base } },
    { name: 'api', provider: 'bitbucket', url: 'https://bitbucket.org/acme/api', commitStatus: { tokenSecret: 'bb-token', apiUrl: base } },
    { name: 'quiet', provider: 'github', url: 'https://github.com/acme/quiet' },
  ].map((repository) => RepositoryConfig.parse(repository));
  return new CommitStatuses({ repositories, hosts: commitStatusHosts(), secrets: new FileSecretStore({ dataDir }), onError: (_repository, _status, error) => errors.push(error) });
}

const pending: CommitStatus = { commit: SHA, environment: 'production', state: 'pending', description: 'deploying', targetUrl: 'https://example.com/api/releases/r-1' };

describe('commit statuses, as each host documents its API', () => {
  it('GitHub: POST /repos/{owner}/{repo}/statuses/{sha} with the token, the API version, and state, context, description, target_url', async () => {
    expect(await statuses().report('web', { ...pending, state: 'success', description: 'accepted' })).toBe(true);
    expect(seen).toHaveLength(1);
    const [request] = seen;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe(`/repos/acme/web/statuses/${SHA}`);
    expect(request?.headers.authorization).toBe('token gh-token-value');
    expect(request?.headers['x-github-api-version']).toBe('2022-11-28');
    expect(request?.headers.accept).toBe('application/vnd.github.v3+json');
    expect(JSON.parse(request?.body ?? '')).toEqual({ state: 'success', context: 'cot/production', description: 'accepted', target_url: 'https://example.com/api/releases/r-1' });
  });

  it('GitLab: POST /api/v4/projects/<url-encoded path>/statuses/<sha> with PRIVATE-TOKEN and state, name, description, target_url', async () => {
    expect(await statuses().report('payments', pending)).toBe(true);
    const [request] = seen;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe(`/api/v4/projects/acme%2Fteam%2Fpayments/statuses/${SHA}`);
    expect(request?.headers['private-token']).toBe('gl-token-value');
    expect(request?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(request?.body))).toEqual({ state: 'running', name: 'cot/production', description: 'deploying', target_url: 'https://example.com/api/releases/r-1' });
  });

  it('Bitbucket: POST /2.0/repositories/{workspace}/{slug}/commit/{sha}/statuses/build with a bearer token and key, state, name, url', async () => {
    expect(await statuses().report('api', { ...pending, state: 'failure', description: 'test failed', targetUrl: undefined as never })).toBe(true);
    const [request] = seen;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe(`/2.0/repositories/acme/api/commit/${SHA}/statuses/build`);
    expect(request?.headers.authorization).toBe('Bearer bb-token-value');
    expect(JSON.parse(request?.body ?? '')).toEqual({ key: 'cot/production', name: 'cot/production', state: 'FAILED', description: 'test failed', url: 'https://bitbucket.org/acme/api' });
  });

  it('sends nothing for a repository without commitStatus', async () => {
    expect(await statuses().report('quiet', pending)).toBe(false);
    expect(seen).toEqual([]);
  });

  it.each(['web', 'payments', 'api'])('a refusal by the host (%s) is told, never thrown', async (repository) => {
    host.answer = 401;
    const errors: unknown[] = [];
    await expect(statuses(errors).report(repository, pending)).resolves.toBe(false);
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toMatch(/401|Bad credentials/);
  });
});

describe('a git host that never answers', () => {
  it('is given up on after the timeout, the failure logged, never thrown', async () => {
    // Arrange: a loopback server that takes the connection and says nothing.
    const sockets: Socket[] = [];
    const silent = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    if (!address || typeof address === 'string') throw new Error('no port');
    const dataDir = tempDir('status');
    mkdirSync(join(dataDir, 'secrets'));
    writeFileSync(join(dataDir, 'secrets', 'gl-token'), 'gl-token-value');
    const errors: unknown[] = [];
    const repositories = [RepositoryConfig.parse({ name: 'payments', provider: 'gitlab', url: 'https://gitlab.example.com/acme/payments', commitStatus: { tokenSecret: 'gl-token', apiUrl: `http://127.0.0.1:${address.port}` } })];
    const slowHost = new CommitStatuses({ repositories, hosts: commitStatusHosts(), secrets: new FileSecretStore({ dataDir }), onError: (_repository, _status, error) => errors.push(error), timeoutMs: 300 });

    // Act
    const sent = await slowHost.report('payments', { commit: SHA, environment: 'production', state: 'pending', description: 'deploying' });

    // Assess
    expect(sent).toBe(false);
    expect(String(errors[0])).toMatch(/did not answer within 300 ms|aborted|timeout/i);
    expect(sockets).toHaveLength(1);
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });
});
