import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { lockDataFolder } from '../../local/data-lock';
import { processes, procFile } from '../support/processes';
import { tempDir } from '../support/temp-dir';


/** `cot local` as a person runs it; resolves with its exit code and what it printed. */
function cotLocal(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', resolve('bin/cot.ts'), 'local', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

/** Live processes that carry `marker` in their environment (what local mode started inherits it). */
function processesWith(marker: string): string[] {
  return processes((pid) => procFile(pid, 'environ').includes(marker)).map((pid) => procFile(pid, 'cmdline').split('\0')[0] || String(pid));
}

/** The shipped config with one repository field changed, written where the test says. */
function configWith(dir: string, change: (config: Record<string, unknown> & { repositories: Array<Record<string, unknown>>; environments: Array<Record<string, unknown>> }) => void): string {
  const config = {
    product: 'startup',
    repositories: [{ name: 'svc', provider: 'github', url: 'https://github.com/acme/svc', localPath: 'svc' }],
    environments: [
      { name: 'integration', mode: 'continuous', branch: 'main' },
      { name: 'production', mode: 'approval', approvers: ['rm@example.com'] },
    ],
    notifications: { from: 'releases@example.com' },
  };
  change(config);
  const file = join(dir, 'release.config.yaml');
  writeFileSync(file, stringify(config));
  return file;
}

describe('cot local start-up', () => {
  it('refuses a second instance on the same data folder, naming the first one\'s port and PID (exit 2)', async () => {
    // Prepare: the first instance holds the data folder.
    const data = tempDir('startup');
    const first = lockDataFolder(data);
    first.setPort(4123);
    try {
      // Act
      const second = await cotLocal(['--port', '0', '--data', data, '--config', 'release.config.yaml']);

      // Assess
      expect(second.code, second.stderr).toBe(2);
      expect(second.stderr.trim().split('\n')).toEqual([expect.stringContaining(`already running on ${data} (PID ${process.pid}, http://127.0.0.1:4123)`)]);
    } finally {
      first.release();
    }
  }, 60_000);

  it('takes over the lock of an instance that no longer runs', () => {
    const data = tempDir('startup');
    writeFileSync(join(data, 'local-mode.lock'), JSON.stringify({ pid: 2 ** 22 + 1, port: 3000 }));

    const lock = lockDataFolder(data);

    expect(JSON.parse(readFileSync(join(data, 'local-mode.lock'), 'utf8'))).toEqual({ pid: process.pid });
    lock.release();
    expect(readdirSync(data)).toEqual([]);
  });

  it.each([
    ['a localPath outside the config folder', (config: Parameters<Parameters<typeof configWith>[1]>[0]) => (config.repositories[0]!.localPath = '../../etc'), /repositories\[0\]\.localPath: "\.\.\/\.\.\/etc" is outside the folder of the config file/],
    ['a localPath that does not exist', (config: Parameters<Parameters<typeof configWith>[1]>[0]) => (config.repositories[0]!.localPath = 'nowhere'), /repositories\[0\]\.localPath: "nowhere" does not exist/],
    ['an invalid branch name', (config: Parameters<Parameters<typeof configWith>[1]>[0]) => (config.environments[0]!.branch = 'my branch'), /environments\[0\]\.branch: must be a valid git branch name/],
  ])('exits 2 with the problem named, and nothing started, for %s', async (_case, change, message) => {
    // Prepare
    const dir = tempDir('startup');
    writeFileSync(join(dir, 'README.md'), 'not a folder');
    const file = configWith(dir, (config) => {
      config.repositories[0]!.localPath = 'README.md';
      change(config);
    });
    const marker = `cot-startup-${randomUUID()}`;

    // Act
    const result = await cotLocal(['--port', '0', '--data', join(dir, '.cot'), '--config', file], { COT_TEST_MARKER: marker });

    // Assess
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(processesWith(marker)).toEqual([]);
  }, 60_000);

  it('exits 1 with one line when it cannot listen, and stops DynamoDB Local', async () => {
    // Prepare: somebody else has the port.
    const taken: Server = createServer();
    const port = await new Promise<number>((done) => taken.listen(0, '127.0.0.1', () => done((taken.address() as { port: number }).port)));
    const marker = `cot-startup-${randomUUID()}`;
    try {
      // Act
      const result = await cotLocal(['--port', String(port), '--data', join(tempDir('startup'), '.cot'), '--config', 'release.config.yaml'], { COT_TEST_MARKER: marker });

      // Assess
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^local mode could not start: cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE.* \\(try --port\\)$`))]);
      expect(processesWith(marker)).toEqual([]);
    } finally {
      taken.close();
    }
  }, 90_000);
});
