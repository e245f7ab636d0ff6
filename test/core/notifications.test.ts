import { describe, expect, it } from 'vitest';
import { acceptedNotice, approvalExpiringNotice, approvalWaitingNotice, endedNotice, failedNotice } from '../../core/notifications';

const COMMIT = '4f9c2e1ab0d1c2e3f4a5b6c7d8e9f0a1b2c3d4e5';
const OLD = '9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d';
const release = { repository: 'sample-service', environment: 'production', commit: COMMIT, releaseId: 'r-20301231T235959999Z-abcdef', kind: 'release' as const };
const approval = { ...release, gate: 'accept' as const, approvers: ['qa@example.com', 'rm@example.com'], expiresAt: '2031-01-03T00:00:00.000Z' };

describe('notification texts', () => {
  it('a continuous run that passed its tests', () => {
    expect(acceptedNotice({ repository: 'sample-service', environment: 'integration', commit: COMMIT, kind: 'deploy', commitMessage: 'Greet in French\n\nLonger text', author: 'Dev <dev@example.com>' })).toEqual({
      subject: 'sample-service 4f9c2e1 accepted in integration',
      message: [
        'sample-service 4f9c2e1 accepted in integration',
        '',
        '4f9c2e1 of sample-service is accepted in integration (its tests passed).',
        '',
        `Commit:  ${COMMIT} by Dev <dev@example.com>`,
        '',
        'Commit message:',
        '    Greet in French',
        '',
      ].join('\n'),
    });
  });

  it('a release accepted by a person', () => {
    expect(acceptedNotice({ ...release, by: 'rm@example.com' })).toEqual({
      subject: 'sample-service 4f9c2e1 accepted in production by rm@example.com',
      message: [
        'sample-service 4f9c2e1 accepted in production by rm@example.com',
        '',
        '4f9c2e1 of sample-service is accepted in production by rm@example.com.',
        '',
        'Accepted by:  rm@example.com',
        `Commit:       ${COMMIT}`,
        'Release:      r-20301231T235959999Z-abcdef',
        '',
      ].join('\n'),
    });
  });

  it('a rollback that brought an environment back', () => {
    expect(acceptedNotice({ ...release, commit: OLD, kind: 'rollback', by: 'system', rollbackOf: 'r-1' }).message).toBe(
      [
        'sample-service 9e8d7c6 rollback accepted in production by system',
        '',
        'production runs 9e8d7c6 of sample-service again: the rollback passed its tests.',
        '',
        'Accepted by:  system',
        'Rolled back:  r-1',
        `Commit:       ${OLD}`,
        'Release:      r-20301231T235959999Z-abcdef',
        '',
      ].join('\n'),
    );
  });

  it('a failed step, with what failed, its log and the rollback that follows', () => {
    expect(
      failedNotice({
        ...release,
        environment: 'integration',
        kind: 'deploy',
        step: 'test',
        failure: { message: 'test failed in BUILD: exit status 1', logUrl: 'https://console.aws.amazon.com/codesuite/codebuild/logs/1' },
        rollback: { commit: OLD, releaseId: 'r-2' },
      }),
    ).toEqual({
      subject: 'sample-service 4f9c2e1 test failed in integration',
      message: [
        'sample-service 4f9c2e1 test failed in integration',
        '',
        'The test step of sample-service 4f9c2e1 failed in integration.',
        '',
        'What failed:  test failed in BUILD: exit status 1',
        'Logs:         https://console.aws.amazon.com/codesuite/codebuild/logs/1',
        'Next:         rolling back to 9e8d7c6 (release r-2)',
        `Commit:       ${COMMIT}`,
        'Release:      r-20301231T235959999Z-abcdef',
        '',
      ].join('\n'),
    });
  });

  it.each([
    ['failed', 'deploy failed in DEPLOY: no such bucket', 'The release of sample-service 4f9c2e1 into production failed.', 'What happened'],
    ['rejected', 'the greeting is wrong', 'The release of sample-service 4f9c2e1 into production was rejected.', 'Why'],
    ['expired', 'nobody decided within 259200 s', 'Nobody decided on sample-service 4f9c2e1 in production in time: the release expired.', 'What happened'],
  ] as const)('a release that %s', (outcome, detail, lead, label) => {
    const text = endedNotice({ ...release, outcome, detail });
    expect(text.subject).toBe(`sample-service 4f9c2e1 ${outcome} in production`);
    expect(text.message.split('\n').slice(0, 5)).toEqual([text.subject, '', lead, '', `${`${label}:`.padEnd(Math.max(label.length, 'Release'.length) + 3)}${detail}`]);
  });

  it('an approval waiting, without any link', () => {
    const text = approvalWaitingNotice(approval);
    expect(text).toEqual({
      subject: 'sample-service 4f9c2e1 waits for acceptance in production',
      message: [
        'sample-service 4f9c2e1 waits for acceptance in production',
        '',
        'sample-service 4f9c2e1 waits for acceptance in production.',
        '',
        'Asked:    qa@example.com, rm@example.com',
        'Expires:  2031-01-03T00:00:00.000Z',
        'How:      each approver was emailed a link of their own; cot approvals lists it too',
        `Commit:   ${COMMIT}`,
        'Release:  r-20301231T235959999Z-abcdef',
        '',
      ].join('\n'),
    });
    expect(text.message).not.toMatch(/https?:/);
  });

  it('an approval about to expire', () => {
    expect(approvalExpiringNotice({ ...approval, gate: 'approve_deploy' })).toEqual({
      subject: 'sample-service 4f9c2e1 approval to deploy in production expires at 2031-01-03T00:00:00.000Z',
      message: [
        'sample-service 4f9c2e1 approval to deploy in production expires at 2031-01-03T00:00:00.000Z',
        '',
        'Nobody has decided on sample-service 4f9c2e1 in production yet.',
        '',
        'Expires:   2031-01-03T00:00:00.000Z',
        'Reminded:  qa@example.com, rm@example.com',
        `Commit:    ${COMMIT}`,
        'Release:   r-20301231T235959999Z-abcdef',
        '',
      ].join('\n'),
    });
  });

  it('keeps subjects within 100 characters', () => {
    expect(failedNotice({ ...release, environment: 'e'.repeat(63), step: 'deploy', failure: { message: 'x' } }).subject.length).toBeLessThanOrEqual(100);
  });
});
