import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ReleaseConfig } from '../core/config';
import { EnvironmentChain } from '../core/environment-chain';

const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=codeontap local', '-c', 'user.email=local@codeontap.invalid', '-c', 'commit.gpgsign=false', ...args], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

/**
 * Makes `<data>/repos/<name>` a git repository for each configured repository (from its `localPath`, with
 * one initial commit, the first time) and installs the post-commit hook that posts a signed push webhook
 * to local mode on `port`. Returns the repositories it prepared.
 */
export function prepareRepositories(options: { config: ReleaseConfig; configFile: string; dataDir: string; port: number }): string[] {
  const { config, dataDir, port } = options;
  const branch = new EnvironmentChain(config).continuous[0]?.branch ?? 'main';
  const prepared: string[] = [];
  for (const repository of config.repositories) {
    const dir = join(dataDir, 'repos', repository.name);
    if (!existsSync(join(dir, '.git'))) {
      if (!repository.localPath) continue;
      mkdirSync(dir, { recursive: true });
      cpSync(resolve(dirname(options.configFile), repository.localPath), dir, {
        recursive: true,
        filter: (source) => !/[/\\](node_modules|dist|\.git)$/.test(source),
      });
      git(dir, 'init', '--quiet', `--initial-branch=${branch}`);
      git(dir, 'add', '--all');
      git(dir, 'commit', '--quiet', '-m', `Initial commit of ${repository.name}`);
    }
    installHook(dir, repository.name, port, resolve(dataDir), resolve(options.configFile));
    prepared.push(dir);
  }
  return prepared;
}

function installHook(dir: string, repository: string, port: number, dataDir: string, configFile: string): void {
  const hook = join(dir, '.git', 'hooks', 'post-commit');
  mkdirSync(dirname(hook), { recursive: true });
  const quote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;
  writeFileSync(
    hook,
    [
      '#!/bin/sh',
      '# Installed by codeontap-release local mode: tells it about each commit, as the git host would.',
      `exec ${quote(process.execPath)} ${quote(join(PROJECT_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'))} ${quote(join(PROJECT_ROOT, 'local', 'post-commit.ts'))} ${quote(repository)} ${port} ${quote(dataDir)} ${quote(configFile)}`,
      '',
    ].join('\n'),
  );
  chmodSync(hook, 0o755);
}
