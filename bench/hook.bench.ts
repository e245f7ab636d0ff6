import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { parseConfig } from '../core/config-file';
import { installPostCommitHooks, prepareRepositories } from '../local/local-repositories';

const run = promisify(execFile);
const RUNS = 15;

/**
 * What a developer waits for: `git commit` in a local-mode repository, its post-commit hook included
 * (the hook posts the signed push to a loopback server that answers at once, as local mode would).
 */
async function bench(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'cot-bench-hook-'));
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => response.writeHead(202, { 'content-type': 'application/json' }).end('{"status":"started"}'));
  });
  const port = await new Promise<number>((done) => server.listen(0, '127.0.0.1', () => done((server.address() as { port: number }).port)));
  try {
    mkdirSync(join(dir, 'svc'));
    writeFileSync(join(dir, 'svc', 'README.md'), 'bench');
    const config = parseConfig(
      'product: bench\nrepositories:\n  - { name: svc, provider: github, url: https://github.com/acme/svc, localPath: svc }\nenvironments:\n  - { name: integration, mode: continuous, branch: main }\nnotifications: { from: releases@example.com }\n',
    );
    const repositories = prepareRepositories({ config, configFile: join(dir, 'release.config.yaml'), dataDir: join(dir, '.cot') });
    await installPostCommitHooks({ config, dataDir: join(dir, '.cot'), endpoint: `http://127.0.0.1:${port}`, repositories, secretFor: async () => 'bench-secret' });
    const repo = repositories[0]!.dir;
    const commit = () => run('git', ['-c', 'user.name=Bench', '-c', 'user.email=bench@example.com', 'commit', '--quiet', '--allow-empty', '-m', 'bench'], { cwd: repo });
    const withoutHook = () => run('git', ['-c', 'user.name=Bench', '-c', 'user.email=bench@example.com', '-c', 'core.hooksPath=/dev/null', 'commit', '--quiet', '--allow-empty', '-m', 'bench'], { cwd: repo });
    await commit();
    const times: number[] = [];
    const bare: number[] = [];
    for (let index = 0; index < RUNS; index += 1) {
      let start = performance.now();
      await commit();
      times.push(performance.now() - start);
      start = performance.now();
      await withoutHook();
      bare.push(performance.now() - start);
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    return `git commit with the hook: median ${median(times).toFixed(0)} ms (goal <= 300 ms); without it ${median(bare).toFixed(0)} ms (n=${RUNS})`;
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export const hookBench = { name: 'post-commit hook', run: bench };
