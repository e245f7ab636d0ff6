import { readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { ReleaseConfig } from './config';
import { DEFAULT_CONFIG_FILE } from './config-file-name';

export { DEFAULT_CONFIG_FILE };

/**
 * A configuration that cannot be used. Its message names the file, the field and what is allowed,
 * one problem per line, and is meant to be printed as is (no stack trace).
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file} is not valid:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

export interface LoadOptions {
  /**
   * Also check that each `localPath` is a folder on this machine (links resolved, still inside the
   * config file's folder): what local mode copies from. The CDK app and the CLI need no such folder.
   * @default false
   */
  readonly localPaths?: boolean;
  /**
   * Also the rules of a deploy to AWS, which local mode does without (docs/configuration.md#rules-between-fields).
   * @default false
   */
  readonly forAws?: boolean;
}

/** Reads and validates a `release.config.yaml`. Throws `ConfigError` for every kind of bad input. */
export function loadConfig(file: string = DEFAULT_CONFIG_FILE, options: LoadOptions = {}): ReleaseConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : String((error as Error).message);
    throw new ConfigError(file, [reason]);
  }
  const config = parseConfig(text, file, options);
  const problems = localPathProblems(config, dirname(resolve(file)), options.localPaths ?? false);
  if (problems.length > 0) throw new ConfigError(file, problems);
  return config;
}

/**
 * A repository's `localPath` is copied into local mode's data folder, so it must name a folder of the
 * checkout the config belongs to: inside the config file's folder; and, for local mode, an existing
 * directory that is still inside once links are resolved.
 */
function localPathProblems(config: ReleaseConfig, base: string, onDisk: boolean): string[] {
  const outside = (root: string, target: string) => {
    const inside = relative(root, target);
    return inside.startsWith('..') || isAbsolute(inside);
  };
  return config.repositories.flatMap((repository, index) => {
    if (repository.localPath === undefined) return [];
    const field = `repositories[${index}].localPath`;
    if (outside(base, resolve(base, repository.localPath))) return [`${field}: "${repository.localPath}" is outside the folder of the config file (${base})`];
    if (!onDisk) return [];
    const root = realpathSync(base);
    let target: string;
    try {
      target = realpathSync(resolve(base, repository.localPath));
    } catch {
      return [`${field}: "${repository.localPath}" does not exist (it is read relative to the folder of the config file)`];
    }
    if (outside(root, target)) return [`${field}: "${repository.localPath}" is outside the folder of the config file (${root})`];
    if (!statSync(target).isDirectory()) return [`${field}: "${repository.localPath}" is not a folder`];
    return [];
  });
}

/** Validates the text of a config file; `file` only names it in messages. */
export function parseConfig(text: string, file: string = DEFAULT_CONFIG_FILE, options: Pick<LoadOptions, 'forAws'> = {}): ReleaseConfig {
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new ConfigError(
      file,
      document.errors.map((error) => `invalid YAML: ${error.message.split('\n')[0]}`),
    );
  }
  const result = ReleaseConfig.safeParse(document.toJS() ?? {}, { reportInput: true });
  if (!result.success) throw new ConfigError(file, result.error.issues.map(describeIssue));
  const problems = options.forAws ? awsProblems(result.data) : [];
  if (problems.length > 0) throw new ConfigError(file, problems);
  return result.data;
}

/**
 * CodeBuild checks a GitLab repository out only through a CodeConnections connection. Local mode builds
 * from its own git repositories, so there a GitLab repository needs none.
 */
function awsProblems(config: ReleaseConfig): string[] {
  return config.repositories.flatMap((repository, index) =>
    repository.provider === 'gitlab' && repository.connectionArn === undefined
      ? [`repositories[${index}].connectionArn: is required for provider "gitlab" on AWS: CodeBuild checks GitLab repositories out through a CodeConnections connection`]
      : [],
  );
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.length === 0 ? '(top level)' : formatPath(issue.path);
  if (issue.code === 'unrecognized_keys') return `${path}: unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `"${key}"`).join(', ')}`;
  if (issue.code === 'invalid_type' && issue.input === undefined) return `${path}: is required (${issue.expected})`;
  if (issue.code === 'invalid_value') return `${path}: must be one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
  return `${path}: ${issue.message}`;
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>(
    (text, part) => (typeof part === 'number' ? `${text}[${part}]` : text ? `${text}.${String(part)}` : String(part)),
    '',
  );
}
