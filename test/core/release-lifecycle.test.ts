import { describe, expect, it } from 'vitest';
import { allowedFrom, canTransition, isTerminal, RELEASE_STATES, waitingState, type ReleaseState } from '../../core/release-lifecycle';

describe('release lifecycle', () => {
  it.each<[string, ReleaseState[]]>([
    ['a continuous run', ['prepared', 'building', 'deploying', 'testing', 'accepted']],
    ['a held continuous run', ['prepared', 'building', 'built']],
    ['a release with both gates', ['prepared', 'awaiting_approval', 'deploying', 'testing', 'awaiting_acceptance', 'accepted', 'rolled_back']],
    ['a rollback', ['prepared', 'deploying', 'testing', 'accepted']],
    ['a rejected acceptance', ['prepared', 'deploying', 'testing', 'awaiting_acceptance', 'rejected']],
    ['an expired gate', ['prepared', 'awaiting_approval', 'expired']],
    ['a superseded wait', ['prepared', 'deploying', 'testing', 'awaiting_acceptance', 'superseded']],
  ])('allows %s', (_case, path) => {
    for (let index = 1; index < path.length; index += 1) expect(canTransition(path[index - 1]!, path[index]!), `${path[index - 1]} -> ${path[index]}`).toBe(true);
  });

  it.each<[ReleaseState, ReleaseState]>([
    ['prepared', 'accepted'],
    ['building', 'testing'],
    ['deploying', 'accepted'],
    ['testing', 'deploying'],
    ['failed', 'deploying'],
    ['rejected', 'accepted'],
    ['accepted', 'failed'],
    ['rolled_back', 'accepted'],
  ])('refuses %s -> %s', (from, to) => {
    expect(canTransition(from, to)).toBe(false);
    expect(allowedFrom(to)).not.toContain(from);
  });

  it('ends every path: only accepted may move on (to rolled_back) among the terminal states', () => {
    const terminal = RELEASE_STATES.filter(isTerminal);
    expect(terminal.sort()).toEqual(['accepted', 'built', 'expired', 'failed', 'rejected', 'rolled_back', 'superseded']);
    for (const state of terminal) expect(RELEASE_STATES.filter((to) => canTransition(state, to))).toEqual(state === 'accepted' ? ['rolled_back'] : []);
  });

  it('waits in its own state at each gate', () => {
    expect(waitingState('approve_deploy')).toBe('awaiting_approval');
    expect(waitingState('accept')).toBe('awaiting_acceptance');
  });
});
