import { parseDocument } from 'yaml';
import * as z from 'zod';

/**
 * The part of CodeBuild buildspec version 0.2 that the local runner can honour. Every object is strict:
 * a key CodeBuild knows but we cannot emulate (`env.parameter-store`, `reports`, `cache`, ...) must fail
 * loudly, because silently skipping it would make a local run pass where the AWS build would not.
 *
 * The YAML is read with the failsafe schema, so every scalar is a string: `version: 0.2`, `- true` as a
 * command and `discard-paths: yes` all arrive as text, the way CodeBuild reads them.
 */

export const PHASE_NAMES = ['install', 'pre_build', 'build', 'post_build'] as const;
export type PhaseName = (typeof PHASE_NAMES)[number];

/** `key:` with nothing after it reads as an empty string; treat it as absent. */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' || value === null ? undefined : value), schema.optional());

const command = z.string({
  error: (issue) =>
    issue.input !== null && typeof issue.input === 'object'
      ? 'must be a string; quote a command that contains ": " (YAML reads it as a mapping)'
      : 'must be a string',
});
const commands = optional(z.array(command));

const onFailure = z.enum(['ABORT', 'CONTINUE']);

const phase = z.strictObject({
  commands,
  finally: commands,
  'on-failure': optional(onFailure),
});

const installPhase = phase.extend({
  // Accepted so that a buildspec written for AWS runs as is; the machine's own runtimes are used.
  'runtime-versions': optional(z.record(z.string(), z.string())),
});

const yesNo = z.enum(['yes', 'no', 'true', 'false']).transform((value) => value === 'yes' || value === 'true');

export const Buildspec = z.strictObject({
  version: z.literal('0.2', { error: 'must be 0.2 (the only buildspec version the local runner reads)' }),
  env: optional(
    z.strictObject({
      shell: optional(z.enum(['bash', 'sh'])),
      variables: optional(z.record(z.string(), z.string())),
      'exported-variables': optional(z.array(z.string())),
    }),
  ),
  phases: optional(
    z.strictObject({
      install: optional(installPhase),
      pre_build: optional(phase),
      build: optional(phase),
      post_build: optional(phase),
    }),
  ),
  artifacts: optional(
    z.strictObject({
      files: z.array(z.string()).min(1),
      'base-directory': optional(z.string()),
      'discard-paths': optional(yesNo),
      'exclude-paths': optional(z.array(z.string())),
    }),
  ),
});
export type Buildspec = z.infer<typeof Buildspec>;
export type BuildspecPhase = z.infer<typeof phase> & { 'runtime-versions'?: Record<string, string> };
export type BuildspecArtifacts = NonNullable<Buildspec['artifacts']>;

/** A buildspec that cannot run. The message names the file and each problem, one per line. */
export class BuildspecError extends Error {
  override readonly name = 'BuildspecError';
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file} is not a usable buildspec:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

/** Parses and validates buildspec text; `file` only names it in messages. Throws `BuildspecError`. */
export function parseBuildspec(text: string, file = 'buildspec.yml'): Buildspec {
  const document = parseDocument(text, { schema: 'failsafe', uniqueKeys: true, prettyErrors: true });
  if (document.errors.length > 0) {
    throw new BuildspecError(file, document.errors.map((error) => `invalid YAML: ${error.message.split('\n')[0]}`));
  }
  const value: unknown = document.toJS();
  if (value === null || value === undefined || value === '') throw new BuildspecError(file, ['the file is empty']);
  // reportInput keeps `input` on issues, which tells a missing key from a wrong type.
  const result = Buildspec.safeParse(value, { reportInput: true });
  if (!result.success) throw new BuildspecError(file, result.error.issues.map(describeIssue));
  return result.data;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = formatPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    return issue.keys
      .map((key) => `${path ? `${path}.` : ''}${key} is not supported by the local buildspec runner`)
      .join('; ');
  }
  const where = path || '(top level)';
  if (issue.code === 'invalid_type' && issue.input === undefined) return `${where}: is required`;
  if (issue.code === 'invalid_value' && issue.values.length > 1) {
    return `${where}: must be one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
  }
  return `${where}: ${issue.message}`;
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>(
    (text, part) => (typeof part === 'number' ? `${text}[${part}]` : text ? `${text}.${String(part)}` : String(part)),
    '',
  );
}
