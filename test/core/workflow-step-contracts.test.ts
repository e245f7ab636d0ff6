import { describe, expect, it } from 'vitest';
import { CLAIM_OUTCOMES, CONTINUOUS_ACTIONS, PROMOTION_ACTIONS, type ContinuousAction, type PromotionAction } from '../../core/workflow-names';
import { ContinuousStepEvent, ContinuousStepResults, PromotionStepEvent, PromotionStepResults } from '../../core/workflow-step-contracts';

const sha = 'b'.repeat(40);
const input = { repository: 'svc', environment: 'integration', branch: 'main', commit: sha, message: 'm', author: 'a', requestedBy: 'push:github:1' };
const run = { releaseId: 'r-1', repository: 'svc', environment: 'production', commit: sha, kind: 'release', approveBeforeDeploy: true, autoRollback: false, timeoutSeconds: 60, artifactVersion: 'v-1' };
const caught = { Error: 'States.TaskFailed', Cause: '{}' };
const targets = {
  projects: { build: 'b', deploy: 'd', test: 't' },
  artifact: { bucket: 'bucket', path: 'artifacts/svc/x', name: 'artifact.zip', key: 'artifacts/svc/x/artifact.zip', location: 'bucket/artifacts/svc/x/artifact.zip' },
};
const notice = { subject: 'svc bbbbbbb accepted', message: 'svc bbbbbbb accepted\n...' };

/** One call per action, as the state machine's Task sends it (every Task also passes the execution input). */
const continuousCalls: Record<ContinuousAction, unknown> = {
  begin: { action: 'begin', input, execution: { name: 'exec', startTime: '2024-05-01T10:00:00.000Z' } },
  // As the Build and ListArtifactVersions Tasks leave them: CodeBuild's epoch seconds, S3's ISO times.
  built: {
    action: 'built',
    input,
    releaseId: 'r-1',
    build: { startTime: 1714557600.5, endTime: 1714557700.25 },
    versions: { Versions: [{ Key: 'artifacts/svc/x/artifact.zip', VersionId: 'v-1', LastModified: '2024-05-01T10:01:30Z', IsLatest: true }] },
  },
  claim: { action: 'claim', input, releaseId: 'r-1' },
  deployed: { action: 'deployed', input, releaseId: 'r-1' },
  accept: { action: 'accept', input, releaseId: 'r-1' },
  fail: { action: 'fail', input, step: 'build', error: caught },
};
const promotionCalls: Record<PromotionAction, unknown> = {
  begin: { action: 'begin', input: { releaseId: 'r-1', repository: 'svc', environment: 'production', commit: sha, kind: 'release', requestedBy: 'ops' } },
  claim: { action: 'claim', input: {}, run },
  deployed: { action: 'deployed', input: {}, run },
  tested: { action: 'tested', input: {}, run },
  accept: { action: 'accept', input: {}, run, approval: { decision: 'approve', by: 'qa@example.com' } },
  reject: { action: 'reject', input: {}, run, error: { Error: 'Rejected', Cause: '{"by":"qa@example.com"}' } },
  expire: { action: 'expire', input: {}, run },
  fail: { action: 'fail', input: {}, run, step: 'deploy', error: caught },
};

/** One answer per action, as the handlers give them. */
const continuousAnswers: Record<ContinuousAction, unknown> = {
  begin: { releaseId: 'r-1', ...targets },
  built: { version: 'v-1' },
  claim: { outcome: CLAIM_OUTCOMES.held },
  deployed: {},
  accept: notice,
  fail: { failure: { step: 'build', message: 'build failed', logUrl: 'https://logs' }, ...notice },
};
const promotionAnswers: Record<PromotionAction, unknown> = {
  begin: { ...run, ...targets },
  claim: {},
  deployed: {},
  tested: {},
  accept: notice,
  reject: { outcome: 'rejected', rollback: { ...run, kind: 'rollback', ...targets }, ...notice },
  expire: { outcome: 'expired', ...notice },
  fail: { outcome: 'failed', ...notice },
};

function issues(result: { success: boolean; error?: { issues: Array<{ path: PropertyKey[]; message: string }> } }): string[] {
  return result.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`) ?? [];
}

describe('continuous step contracts', () => {
  it.each(Object.values(CONTINUOUS_ACTIONS))('takes the %s call and describes its answer', (action) => {
    const parsed = ContinuousStepEvent.safeParse(continuousCalls[action]);
    expect(issues(parsed)).toEqual([]);
    expect(parsed.data?.action).toBe(action);
    expect(issues(ContinuousStepResults[action].safeParse(continuousAnswers[action]))).toEqual([]);
  });

  it.each<[string, unknown, string[]]>([
    ['an unknown action', { action: 'tested', input, releaseId: 'r-1' }, ["action: Invalid discriminator value. Expected 'begin' | 'built' | 'claim' | 'deployed' | 'accept' | 'fail'"]],
    ['a start time that is no time', { ...(continuousCalls.begin as object), execution: { name: '', startTime: 'soon' } }, [
      'execution.name: Too small: expected string to have >=1 characters',
      'execution.startTime: must be a time',
    ]],
    ['a claim without its release', { action: 'claim', input }, ['releaseId: Invalid input: expected string, received undefined']],
    ['a built step without the build times', { action: 'built', input, releaseId: 'r-1', versions: {} }, ['build: Invalid input: expected object, received undefined']],
    ['a failure of an unknown step', { action: 'fail', input, step: 'lint', error: {} }, ['step: Invalid option: expected one of "build"|"deploy"|"test"|"approval"|"workflow"']],
    ['a caught error that is not text', { action: 'fail', input, step: 'test', error: { Error: 5 } }, ['error.Error: Invalid input: expected string, received number']],
  ])('refuses %s', (_case, call, expected) => {
    expect(issues(ContinuousStepEvent.safeParse(call))).toEqual(expected);
  });
});

describe('promotion step contracts', () => {
  it.each(Object.values(PROMOTION_ACTIONS))('takes the %s call and describes its answer', (action) => {
    const parsed = PromotionStepEvent.safeParse(promotionCalls[action]);
    expect(issues(parsed)).toEqual([]);
    expect(parsed.data?.action).toBe(action);
    expect(issues(PromotionStepResults[action].safeParse(promotionAnswers[action]))).toEqual([]);
  });

  it('keeps only what a step needs: the execution input every Task passes is dropped', () => {
    expect(PromotionStepEvent.parse(promotionCalls.claim)).toEqual({ action: 'claim', run });
  });

  it.each<[string, unknown, string[]]>([
    ['an unknown action', { action: 'held', run }, ["action: Invalid discriminator value. Expected 'begin' | 'claim' | 'deployed' | 'tested' | 'accept' | 'reject' | 'expire' | 'fail'"]],
    ['an approval without an approver', { action: 'accept', run, approval: { by: '' } }, ['approval.by: Too small: expected string to have >=1 characters']],
    ['a rejection without the caught error', { action: 'reject', run }, ['error: Invalid input: expected object, received undefined']],
    ['a failure without its step', { action: 'fail', run, error: {} }, ['step: Invalid option: expected one of "build"|"deploy"|"test"|"approval"|"workflow"']],
    ['a run with a bad commit', { action: 'tested', run: { ...run, commit: 'HEAD' } }, ['run.commit: must be a full 40-character commit SHA']],
  ])('refuses %s', (_case, call, expected) => {
    expect(issues(PromotionStepEvent.safeParse(call))).toEqual(expected);
  });

  it('answers an ending with the rollback run and its targets, which the workflow goes on with', () => {
    expect(issues(PromotionStepResults.reject.safeParse({ outcome: 'rejected', rollback: run, ...notice }))).toEqual([
      'rollback.projects: Invalid input: expected object, received undefined',
      'rollback.artifact: Invalid input: expected object, received undefined',
    ]);
  });
});
