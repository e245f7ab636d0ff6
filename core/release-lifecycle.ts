/**
 * The life of a release (and of a continuous run, which is a release of kind `deploy`):
 *
 *   prepared -> building -> deploying -> testing -> accepted                  (continuous: every push)
 *                        \-> built (held: built, not deployed)
 *   prepared -> [awaiting_approval] -> deploying -> testing -> awaiting_acceptance -> accepted   (release)
 *   prepared -> deploying -> testing -> accepted                                                  (rollback)
 *
 * and the ends: rejected (a person said no), failed (a build, deploy or test went red, or a technical
 * error), expired (nobody decided in time), superseded (a newer commit or release took its place),
 * rolled_back (an accepted release that a rollback replaced).
 */
export const RELEASE_STATES = [
  'prepared',
  'building',
  'built',
  'awaiting_approval',
  'deploying',
  'testing',
  'awaiting_acceptance',
  'accepted',
  'rejected',
  'failed',
  'expired',
  'superseded',
  'rolled_back',
] as const;
export type ReleaseState = (typeof RELEASE_STATES)[number];

export const RELEASE_KINDS = ['deploy', 'release', 'rollback'] as const;
/** `deploy`: a continuous run of one push; `release`: an approved promotion; `rollback`: a redeploy of an accepted commit. */
export type ReleaseKind = (typeof RELEASE_KINDS)[number];

/** The one table of allowed moves; the CMDB writes each state change conditionally on it. */
const TRANSITIONS: Readonly<Record<ReleaseState, readonly ReleaseState[]>> = {
  prepared: ['building', 'awaiting_approval', 'deploying', 'superseded', 'failed', 'expired'],
  building: ['deploying', 'built', 'superseded', 'failed'],
  built: [],
  awaiting_approval: ['deploying', 'rejected', 'expired', 'superseded', 'failed'],
  deploying: ['testing', 'failed'],
  testing: ['accepted', 'awaiting_acceptance', 'failed'],
  awaiting_acceptance: ['accepted', 'rejected', 'expired', 'superseded', 'failed'],
  accepted: ['rolled_back'],
  rejected: [],
  failed: [],
  expired: [],
  superseded: [],
  rolled_back: [],
};

export function allowedFrom(to: ReleaseState): ReleaseState[] {
  return RELEASE_STATES.filter((from) => TRANSITIONS[from].includes(to));
}

export function canTransition(from: ReleaseState, to: ReleaseState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** No workflow works on a release in these states any more (an accepted one may still be rolled back). */
export function isTerminal(state: ReleaseState): boolean {
  return state === 'accepted' || TRANSITIONS[state].length === 0;
}

export const APPROVAL_GATES = ['approve_deploy', 'accept'] as const;
export type ApprovalGate = (typeof APPROVAL_GATES)[number];

export const DECISIONS = ['approve', 'reject'] as const;
export type Decision = (typeof DECISIONS)[number];

/** An approval is pending until decided once, or closed because its release moved on. */
export type ApprovalStatus = 'pending' | 'approved' | 'rejected' | 'superseded' | 'expired';

/** The state a release waits in at each gate. */
export function waitingState(gate: ApprovalGate): ReleaseState {
  return gate === 'approve_deploy' ? 'awaiting_approval' : 'awaiting_acceptance';
}
