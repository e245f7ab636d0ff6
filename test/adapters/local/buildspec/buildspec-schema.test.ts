import { describe, expect, it } from 'vitest';
import { BuildspecError, parseBuildspec } from '../../../../adapters/local/buildspec';

function problemsOf(text: string): string[] {
  try {
    parseBuildspec(text, 'buildspec.yml');
  } catch (error) {
    expect(error).toBeInstanceOf(BuildspecError);
    return (error as BuildspecError).problems;
  }
  throw new Error('expected the buildspec to be refused');
}

describe('parseBuildspec', () => {
  it('reads every supported key, scalars as text the way CodeBuild does', () => {
    // Prepare
    const text = [
      'version: 0.2',
      'env:',
      '  shell: bash',
      '  variables: { A: 1, B: "two" }',
      '  exported-variables: [A]',
      'phases:',
      '  install:',
      '    runtime-versions: { nodejs: 20 }',
      '    commands: [ "true" ]',
      '  build:',
      '    on-failure: CONTINUE',
      '    commands:',
      '      - true',
      '      - |',
      '        echo one',
      '        echo two',
      '    finally:',
      '      - echo done',
      '  post_build:',
      'artifacts:',
      '  base-directory: dist',
      '  discard-paths: yes',
      '  files: ["**/*"]',
      '',
    ].join('\n');

    // Act
    const buildspec = parseBuildspec(text);

    // Assess
    expect(buildspec).toEqual({
      version: '0.2',
      env: { shell: 'bash', variables: { A: '1', B: 'two' }, 'exported-variables': ['A'] },
      phases: {
        install: { 'runtime-versions': { nodejs: '20' }, commands: ['true'] },
        build: { 'on-failure': 'CONTINUE', commands: ['true', 'echo one\necho two\n'], finally: ['echo done'] },
      },
      artifacts: { 'base-directory': 'dist', 'discard-paths': true, files: ['**/*'] },
    });
  });

  it.each([
    ['a top-level key', 'version: 0.2\ncache:\n  paths: [x]\n', 'cache is not supported by the local buildspec runner'],
    ['env.parameter-store', 'version: 0.2\nenv:\n  parameter-store:\n    A: /a\n', 'env.parameter-store is not supported by the local buildspec runner'],
    ['env.secrets-manager', 'version: 0.2\nenv:\n  secrets-manager:\n    A: s:k\n', 'env.secrets-manager is not supported by the local buildspec runner'],
    ['a phase key', 'version: 0.2\nphases:\n  build:\n    run-as: root\n    commands: [ls]\n', 'phases.build.run-as is not supported by the local buildspec runner'],
    ['an unknown phase', 'version: 0.2\nphases:\n  deploy:\n    commands: [ls]\n', 'phases.deploy is not supported by the local buildspec runner'],
    ['runtime-versions outside install', 'version: 0.2\nphases:\n  build:\n    runtime-versions: { nodejs: 20 }\n', 'phases.build.runtime-versions is not supported'],
    ['an artifacts key', 'version: 0.2\nartifacts:\n  files: [a]\n  secondary-artifacts: {}\n', 'artifacts.secondary-artifacts is not supported by the local buildspec runner'],
  ])('names an unsupported key: %s', (_case, text, expected) => {
    // Act
    const problems = problemsOf(text);

    // Assess
    expect(problems.join('\n')).toContain(expected);
  });

  it.each([
    ['another version', 'version: 0.1\n', 'version: must be 0.2'],
    ['no version', 'phases: {}\n', 'version: must be 0.2'],
    ['a shell other than bash or sh', 'version: 0.2\nenv:\n  shell: zsh\n', 'env.shell: must be one of "bash", "sh"'],
    ['an on-failure value', 'version: 0.2\nphases:\n  build:\n    on-failure: RETRY\n', 'phases.build.on-failure: must be one of "ABORT", "CONTINUE"'],
    ['a command YAML reads as a mapping', 'version: 0.2\nphases:\n  build:\n    commands:\n      - echo a: b\n', 'phases.build.commands[0]: must be a string; quote a command'],
    ['artifacts without files', 'version: 0.2\nartifacts:\n  base-directory: dist\n', 'artifacts.files: is required'],
    ['discard-paths not yes/no', 'version: 0.2\nartifacts:\n  files: [a]\n  discard-paths: maybe\n', 'artifacts.discard-paths: must be one of'],
    ['a list at the top', '- version: 0.2\n', '(top level)'],
  ])('explains a bad value: %s', (_case, text, expected) => {
    // Act
    const problems = problemsOf(text);

    // Assess
    expect(problems.join('\n')).toContain(expected);
  });

  it.each([
    ['broken YAML', 'version: 0.2\nphases: [build\n', 'invalid YAML'],
    ['a duplicate key', 'version: 0.2\nversion: 0.2\n', 'invalid YAML: Map keys must be unique'],
    ['an empty file', '\n', 'the file is empty'],
  ])('refuses %s with a clear message', (_case, text, expected) => {
    // Act
    const problems = problemsOf(text);

    // Assess
    expect(problems.join('\n')).toContain(expected);
  });

  it('names the file in the message', () => {
    // Act
    const act = () => parseBuildspec('version: 0.2\nreports: {}\n', 'deployspec.yml');

    // Assess
    expect(act).toThrow(/^deployspec\.yml is not a usable buildspec:\n {2}- reports is not supported by the local buildspec runner$/);
  });
});
