import type { ReleaseConfig } from './config';
import { ForbiddenError } from './errors';

/**
 * Who may do what from the web console (docs/console.md#who-may-do-what). On AWS people sign in to the
 * stack's Cognito user pool and its groups give the roles; local mode answers on loopback only and lets
 * its one user do everything, as its `/api/*` does.
 */
export const CONSOLE_GROUPS = {
  viewers: 'viewers',
  releaseManagers: 'release-managers',
  /** The approvers of one approval environment. */
  approvers: (environment: string) => `approvers-${environment}`,
} as const;

/** The signed-in person, from a verified token (or local mode's user). */
export interface ConsoleUser {
  /** Recorded on releases and decisions: the email when the pool has one, else the user name. */
  readonly identity: string;
  readonly groups: readonly string[];
  /** Set only when the pool verified it: only then may it match an approver listed in the config. */
  readonly verifiedEmail?: string;
  /** Local mode: loopback, no sign-in, every right. */
  readonly local?: boolean;
}

export interface ConsoleRights {
  readonly view: boolean;
  /** Prepare a release into an approval environment. */
  readonly release: boolean;
  /** Promote the product into an approval environment (docs/console.md#the-product-row). */
  readonly promote: boolean;
  readonly rollback: boolean;
  readonly resume: boolean;
  /** The environments whose approvals this person may decide. */
  readonly decide: readonly string[];
}

export type ConsoleAction = 'view' | 'release' | 'promote' | 'rollback' | 'resume' | 'decide';

/**
 * The rights of a user: `release-managers` release, promote, roll back and resume; `approvers-<env>` decide in
 * that environment, and so does a verified email the config lists among its approvers (the people the
 * approval email goes to); any of these, or `viewers`, may look. Nobody else sees anything.
 */
export function consoleRights(user: ConsoleUser, config: ReleaseConfig): ConsoleRights {
  const approvalEnvironments = config.environments.flatMap((env) => (env.mode === 'approval' ? [env] : []));
  if (user.local) return { view: true, release: true, promote: true, rollback: true, resume: true, decide: approvalEnvironments.map((env) => env.name) };
  const groups = new Set(user.groups);
  const email = user.verifiedEmail?.toLowerCase();
  const decide = approvalEnvironments
    .filter((env) => groups.has(CONSOLE_GROUPS.approvers(env.name)) || (email !== undefined && env.approvers.some((approver) => approver.toLowerCase() === email)))
    .map((env) => env.name);
  const manager = groups.has(CONSOLE_GROUPS.releaseManagers);
  return {
    view: manager || decide.length > 0 || groups.has(CONSOLE_GROUPS.viewers),
    release: manager,
    promote: manager,
    rollback: manager,
    resume: manager,
    decide,
  };
}

/** Throws `ForbiddenError` (a 403 that says which group is needed) unless the user may do `action`. */
export function requireRight(rights: ConsoleRights, user: ConsoleUser, action: ConsoleAction, environment?: string): void {
  if (action === 'decide') {
    if (environment !== undefined && rights.decide.includes(environment)) return;
    throw new ForbiddenError(`${user.identity} may not decide approvals in ${environment ?? 'this environment'}: that needs the group ${CONSOLE_GROUPS.approvers(environment ?? '<environment>')} or being one of its approvers in the config`);
  }
  if (rights[action]) return;
  const group = action === 'view' ? `${CONSOLE_GROUPS.viewers} (or any console group)` : CONSOLE_GROUPS.releaseManagers;
  throw new ForbiddenError(`${user.identity} may not ${action === 'view' ? 'see the console' : action}: that needs the group ${group}`);
}
