import { chmodSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BuildspecResult } from '../../../../adapters/local/buildspec';
import { buildspecHarness } from './git-fixture';

const EXAMPLE = join(import.meta.dirname, '../../../../examples/sample-service');
const { root, repository, runCommit } = buildspecHarness('sample');

// The repository local mode would create from `localPath`: a copy of the example, committed.
cpSync(EXAMPLE, repository.dir, { recursive: true, filter: (path) => !/[/\\](dist|node_modules)$/.test(path) });
const firstCommit = repository.commit({}, 'sample-service');

const artifactOf = (commit: string) => join(root, 'artifacts', commit);
const targetDir = join(root, 'environments', 'integration', 'sample-service');

function variables(commit: string): Record<string, string> {
  return { COT_REPOSITORY: 'sample-service', COT_COMMIT: commit, COT_ENVIRONMENT: 'integration', COT_TARGET_DIR: targetDir };
}

/** Build, deploy and test one commit the way the workflows chain them, stopping at the first failure. */
async function release(commit: string): Promise<Record<'build' | 'deploy' | 'test', BuildspecResult | undefined>> {
  const build = await runCommit(commit, { variables: variables(commit), artifactOutputDir: artifactOf(commit) });
  if (build.status !== 'SUCCEEDED') return { build, deploy: undefined, test: undefined };
  const deploy = await runCommit(commit, { buildspecPath: 'deployspec.yml', variables: variables(commit), artifactInputDir: artifactOf(commit) });
  if (deploy.status !== 'SUCCEEDED') return { build, deploy, test: undefined };
  const test = await runCommit(commit, { buildspecPath: 'testspec.yml', variables: variables(commit), artifactInputDir: artifactOf(commit) });
  return { build, deploy, test };
}

function deployedCommit(): string {
  return (JSON.parse(readFileSync(join(targetDir, 'version.json'), 'utf8')) as { commit: string }).commit;
}

describe('examples/sample-service', () => {
  it('builds an artifact stamped with the commit, deploys it to the target and tests it green', async () => {
    // Act
    const { build, deploy, test } = await release(firstCommit);

    // Assess
    expect(build?.status, build?.lastLines.join('\n')).toBe('SUCCEEDED');
    expect(build?.exportedVariables).toEqual({ SERVICE_VERSION: '1.0.0' });
    const stamped = JSON.parse(readFileSync(join(artifactOf(firstCommit), 'version.json'), 'utf8')) as { commit: string };
    expect(stamped.commit).toBe(firstCommit);
    expect(deploy?.status, deploy?.lastLines.join('\n')).toBe('SUCCEEDED');
    expect(deployedCommit()).toBe(firstCommit);
    expect(test?.status, test?.lastLines.join('\n')).toBe('SUCCEEDED');
    expect(test?.lastLines).toContain(`check-deployed: ${targetDir} runs commit ${firstCommit}`);
  });

  it('on AWS (a deploy role, no COT_TARGET_DIR): takes the role for later commands, shows who it is, deploys into the build container, tests the artifact', async () => {
    // Prepare: an `aws` CLI that answers like STS, and the variables CodeBuild gets in an environment with a deployRoleArn.
    const bin = join(root, 'fake-aws');
    mkdirSync(bin, { recursive: true });
    writeFileSync(
      join(bin, 'aws'),
      [
        '#!/bin/sh',
        'echo "$*" >> "$(dirname "$0")/calls"',
        'case "$1 $2" in',
        '  "sts assume-role") printf "ASIAFAKE\\tsecret\\ttoken\\n" ;;',
        '  "sts get-caller-identity") echo "{\\"Arn\\": \\"arn:aws:sts::222222222222:assumed-role/deployer/x\\", \\"KeyId\\": \\"$AWS_ACCESS_KEY_ID\\"}" ;;',
        '  *) exit 2 ;;',
        'esac',
        '',
      ].join('\n'),
    );
    chmodSync(join(bin, 'aws'), 0o755);
    const role = 'arn:aws:iam::222222222222:role/deployer';
    const onAws = { COT_REPOSITORY: 'sample-service', COT_COMMIT: firstCommit, COT_ENVIRONMENT: 'production', COT_DEPLOY_ROLE_ARN: role, COT_ACCOUNT: '222222222222', AWS_REGION: 'eu-west-1', PATH: `${bin}:${process.env.PATH}` };

    // Act
    const deploy = await runCommit(firstCommit, { buildspecPath: 'deployspec.yml', variables: onAws, artifactInputDir: artifactOf(firstCommit) });
    const test = await runCommit(firstCommit, { buildspecPath: 'testspec.yml', variables: onAws, artifactInputDir: artifactOf(firstCommit) });

    // Assess
    expect(deploy.status, deploy.lastLines.join('\n')).toBe('SUCCEEDED');
    expect(readFileSync(join(bin, 'calls'), 'utf8')).toContain(`sts assume-role --role-arn ${role} --role-session-name cot-${firstCommit.slice(0, 12)}`);
    expect(deploy.output).toContain('deploying to account 222222222222 in eu-west-1 as:');
    expect(deploy.output.join('\n')).toContain('"KeyId": "ASIAFAKE"');
    expect(test.status, test.lastLines.join('\n')).toBe('SUCCEEDED');
    expect(test.output.join('\n')).toMatch(new RegExp(`check-deployed: .*artifact runs commit ${firstCommit}`));
  });

  it('fails the test of a commit that contains FAIL_TEST, naming the phase, the command and the exit code', async () => {
    // Prepare
    const commit = repository.commit({ FAIL_TEST: '' }, 'see a red test');

    // Act
    const { deploy, test } = await release(commit);

    // Assess
    expect(deploy?.status).toBe('SUCCEEDED');
    expect(test).toMatchObject({ status: 'FAILED', failedPhase: 'BUILD', exitCode: 1 });
    expect(test?.failedCommand).toContain('if [ -f FAIL_TEST ]');
    expect(test?.lastLines).toContain('FAIL_TEST is in this commit, failing the test on purpose');
  });

  it('fails the deploy of a commit that contains FAIL_DEPLOY and leaves the target as it was', async () => {
    // Prepare
    const before = (await release(repository.commit({ FAIL_TEST: null }, 'green again'))).test;
    expect(before?.status).toBe('SUCCEEDED');
    const previouslyDeployed = deployedCommit();
    const commit = repository.commit({ FAIL_DEPLOY: '' }, 'see a failed deploy');

    // Act
    const { deploy } = await release(commit);

    // Assess
    expect(deploy).toMatchObject({ status: 'FAILED', failedPhase: 'PRE_BUILD', exitCode: 1 });
    expect(deploy?.lastLines).toContain('FAIL_DEPLOY is in this commit, failing the deploy on purpose');
    expect(deployedCommit()).toBe(previouslyDeployed);
  });

  it('fails the build of a commit that contains FAIL_BUILD and stores no artifact', async () => {
    // Prepare
    const commit = repository.commit({ FAIL_DEPLOY: null, FAIL_BUILD: '' }, 'see a failed build');

    // Act
    const { build, deploy } = await release(commit);

    // Assess
    expect(build).toMatchObject({ status: 'FAILED', failedPhase: 'PRE_BUILD', exitCode: 1 });
    expect(build?.lastLines).toContain('FAIL_BUILD is in this commit, failing the build on purpose');
    expect(deploy).toBeUndefined();
    expect(() => readFileSync(join(artifactOf(commit), 'version.json'))).toThrow();
  });
});
