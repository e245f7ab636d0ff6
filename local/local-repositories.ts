import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { ReleaseConfig } from '../core/config';
import { EnvironmentChain } from '../core/environment-chain';
import type { HookContext } from './post-commit';

const HOOK_SOURCE = join(dirname(fileURLToPath(import.meta.url)), 'post-commit.ts');

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=codeontap local', '-c', 'user.email=local@codeontap.invalid', '-c', 'commit.gpgsign=false', ...args], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

/**
 * Makes `<data>/repos/<name>` a git repository for each configured repository (from its `localPath`, with
 * one initial commit, the first time). Returns the repositories it prepared.
 */
export function prepareRepositories(options: { config: ReleaseConfig; configFile: string; dataDir: string }): Array<{ name: string; dir: string }> {
  const { config, dataDir } = options;
  const branch = new EnvironmentChain(config).continuous[0]?.branch ?? 'main';
  const prepared: Array<{ name: string; dir: string }> = [];
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
    prepared.push({ name: repository.name, dir });
  }
  return prepared;
}

/**
 * Installs each repository's post-commit hook. The hook is bundled here, once per start, into one
 * JavaScript file (`<data>/hooks/post-commit.mjs`) that plain `node` runs in well under the time a
 * developer notices; what it needs to know — where local mode listens now and the webhook secret it
 * actually verifies with, wherever that came from — goes into `<data>/hooks/<name>.json`, readable by
 * its owner only, as the other secrets of the data folder.
 */
export async function installPostCommitHooks(options: {
  config: ReleaseConfig;
  dataDir: string;
  endpoint: string;
  repositories: ReadonlyArray<{ name: string; dir: string }>;
  secretFor: (repository: string) => Promise<string>;
}): Promise<void> {
  const hooksDir = join(options.dataDir, 'hooks');
  mkdirSync(hooksDir, { recursive: true });
  const script = join(hooksDir, 'post-commit.mjs');
  await build({ entryPoints: [HOOK_SOURCE], outfile: script, bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'silent' });
  for (const { name, dir } of options.repositories) {
    const repository = options.config.repositories.find((candidate) => candidate.name === name);
    if (!repository) continue;
    const context: HookContext = {
      repository: { name: repository.name, provider: repository.provider, url: repository.url },
      endpoint: options.endpoint,
      secret: await options.secretFor(name),
    };
    const contextFile = join(hooksDir, `${name}.json`);
    writeFileSync(contextFile, JSON.stringify(context), { mode: 0o600 });
    chmodSync(contextFile, 0o600);
    const hook = join(dir, '.git', 'hooks', 'post-commit');
    mkdirSync(dirname(hook), { recursive: true });
    writeFileSync(
      hook,
      ['#!/bin/sh', '# Installed by codeontap-release local mode: tells it about each commit, as the git host would.', `exec ${quote(process.execPath)} ${quote(script)} ${quote(contextFile)}`, ''].join('\n'),
    );
    chmodSync(hook, 0o755);
  }
}

function quote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
