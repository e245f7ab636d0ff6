import { describe, expect, it } from 'vitest';
import { describeFailure } from '../../core/workflow-failure';

const build = (extra: object) =>
  JSON.stringify({
    Build: {
      BuildStatus: 'FAILED',
      Logs: { DeepLink: 'https://console.aws.amazon.com/cloudwatch/home#logEvent:group=/aws/codebuild/x' },
      Phases: [
        { PhaseType: 'INSTALL', PhaseStatus: 'SUCCEEDED' },
        { PhaseType: 'BUILD', PhaseStatus: 'FAILED', Contexts: [{ StatusCode: 'COMMAND_EXECUTION_ERROR', Message: 'Error while executing command: npm test. Reason: exit status 1' }] },
      ],
      ...extra,
    },
  });

describe('describeFailure', () => {
  it.each([
    [
      'a red CodeBuild run',
      'test' as const,
      { Error: 'States.TaskFailed', Cause: build({}) },
      { step: 'test', message: 'test failed in BUILD: Error while executing command: npm test. Reason: exit status 1', logUrl: 'https://console.aws.amazon.com/cloudwatch/home#logEvent:group=/aws/codebuild/x' },
    ],
    [
      'a local run with its last lines',
      'deploy' as const,
      { Error: 'States.TaskFailed', Cause: build({ LastLines: ['cp: cannot stat', 'exit 1'] }) },
      expect.objectContaining({ message: 'deploy failed in BUILD: Error while executing command: npm test. Reason: exit status 1\ncp: cannot stat\nexit 1' }),
    ],
    [
      'a Lambda error, without its trace',
      'workflow' as const,
      { Error: 'ConflictError', Cause: JSON.stringify({ errorType: 'ConflictError', errorMessage: 'release r-1 is failed', trace: ['at x'] }) },
      { step: 'workflow', message: 'workflow failed with ConflictError: release r-1 is failed' },
    ],
    ['a timeout', 'build' as const, { Error: 'States.Timeout' }, { step: 'build', message: 'build failed with States.Timeout' }],
  ])('describes %s', (_case, step, caught, expected) => {
    expect(describeFailure(step, caught)).toEqual(expected);
  });

  it('keeps messages short enough for emails and the CMDB', () => {
    expect(describeFailure('build', { Error: 'X', Cause: 'y'.repeat(5000) }).message).toHaveLength(2000);
  });
});
