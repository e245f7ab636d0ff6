import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../core/config-file';
import { readWebhook } from '../../core/webhooks';
import { installPostCommitHooks, prepareRepositories } from '../../local/local-repositories';
import { eventually } from '../support/eventually';

const run = promisify(execFile);
const root = mkdtempSync(join(tmpdir(), 'cot-hook-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Received {
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** A stand-in for local mode's webhook route that keeps what it is sent. */
async function receiver(): Promise<{ endpoint: string; received: Received[]; close: () => void }> {
  const received: Received[] = [];
  const server = createServer((request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ path: request.url ?? '', headers: request.headers as Record<string, string>, body: Buffer.concat(chunks).toString() });
      response.writeHead(202, { 'content-type': 'application/json' }).end('{"status":"started"}');
    });
  });
  const port = await new Promise<number>((done) => server.listen(0, '127.0.0.1', () => done((server.address() as { port: number }).port)));
  return { endpoint: `http://127.0.0.1:${port}`, received, close: () => server.close() };
}

describe('the post-commit hook local mode installs', () => {
  it.each(['github', 'gitlab', 'bitbucket'] as const)('posts a %s push signed with the secret local mode verifies with, even one given only in its environment', async (provider) => {
    // Prepare: a repository whose secret exists nowhere but in local mode's memory (COT_WEBHOOK_SECRET).
    const dir = join(root, provider);
    mkdirSync(join(dir, 'svc'), { recursive: true });
    writeFileSync(join(dir, 'svc', 'README.md'), 'hello');
    const config = parseConfig(
      [
        'product: hooked',
        'repositories:',
        `  - { name: svc, provider: ${provider}, url: https://example.com/acme/svc, localPath: svc }`,
        'environments:',
        '  - { name: integration, mode: continuous, branch: main }',
        'notifications: { from: releases@example.com }',
      ].join('\n'),
    );
    const secret = `only-in-the-environment-${provider}`;
    const target = await receiver();
    const repositories = prepareRepositories({ config, configFile: join(dir, 'release.config.yaml'), dataDir: join(dir, '.cot') });
    await installPostCommitHooks({ config, dataDir: join(dir, '.cot'), endpoint: target.endpoint, repositories, secretFor: async () => secret });
    const repo = repositories[0]!.dir;

    try {
      // Act
      await run('git', ['-c', 'user.name=Dev', '-c', 'user.email=dev@example.com', 'commit', '--quiet', '--allow-empty', '-m', 'Hooked'], { cwd: repo });
      const head = (await run('git', ['rev-parse', 'HEAD'], { cwd: repo })).stdout.trim();

      // Assess: local mode's own webhook reader accepts it as a push of that commit.
      const delivery = await eventually(() => target.received[0], { what: 'the webhook' });
      const outcome = await readWebhook({ provider, headers: delivery.headers, body: delivery.body, repositories: config.repositories, secretFor: async () => secret });
      expect(delivery.path).toBe(`/webhooks/${provider}`);
      expect(outcome).toMatchObject({ kind: 'push', repository: 'svc', events: [expect.objectContaining({ commit: head, message: expect.stringContaining('Hooked') })] });
      expect(statSync(join(dir, '.cot', 'hooks', 'svc.json')).mode & 0o777).toBe(0o600);
    } finally {
      target.close();
    }
  }, 30_000);
});
