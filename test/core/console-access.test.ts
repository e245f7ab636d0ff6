import { describe, expect, it } from 'vitest';
import { ReleaseConfig } from '../../core/config';
import { consoleRights, requireRight, type ConsoleUser } from '../../core/console-access';
import { ForbiddenError } from '../../core/errors';

const config = ReleaseConfig.parse({
  product: 'acme',
  repositories: [{ name: 'api', provider: 'github', url: 'https://github.com/acme/api' }],
  environments: [
    { name: 'integration', mode: 'continuous', branch: 'main' },
    { name: 'staging', mode: 'approval', approvers: ['QA@example.com'] },
    { name: 'production', mode: 'approval', approvers: ['rm@example.com'] },
  ],
  notifications: { from: 'releases@example.com' },
});

const user = (groups: string[], extra: Partial<ConsoleUser> = {}): ConsoleUser => ({ identity: 'someone@example.com', groups, ...extra });

describe('consoleRights', () => {
  it.each([
    ['no group', user([]), { view: false, release: false, promote: false, rollback: false, resume: false, decide: [] }],
    ['viewers', user(['viewers']), { view: true, release: false, promote: false, rollback: false, resume: false, decide: [] }],
    ['release-managers', user(['release-managers']), { view: true, release: true, promote: true, rollback: true, resume: true, decide: [] }],
    ['approvers-staging', user(['approvers-staging']), { view: true, release: false, promote: false, rollback: false, resume: false, decide: ['staging'] }],
    ['a group of a continuous environment decides nothing', user(['approvers-integration']), { view: false, release: false, promote: false, rollback: false, resume: false, decide: [] }],
    ['a verified email listed in the config, in any case', user([], { verifiedEmail: 'qa@EXAMPLE.com' }), { view: true, release: false, promote: false, rollback: false, resume: false, decide: ['staging'] }],
    ['both ways at once', user(['approvers-production'], { verifiedEmail: 'qa@example.com' }), { view: true, release: false, promote: false, rollback: false, resume: false, decide: ['staging', 'production'] }],
    ['local mode', user([], { local: true }), { view: true, release: true, promote: true, rollback: true, resume: true, decide: ['staging', 'production'] }],
  ])('%s', (_name, who, rights) => {
    expect(consoleRights(who, config)).toEqual(rights);
  });
});

describe('requireRight', () => {
  it('names the group a refused action needs', () => {
    const viewer = user(['viewers']);
    const rights = consoleRights(viewer, config);

    expect(() => requireRight(rights, viewer, 'view')).not.toThrow();
    expect(() => requireRight(rights, viewer, 'release')).toThrow(new ForbiddenError('someone@example.com may not release: that needs the group release-managers'));
    expect(() => requireRight(rights, viewer, 'promote')).toThrow(new ForbiddenError('someone@example.com may not promote: that needs the group release-managers'));
    expect(() => requireRight(rights, viewer, 'decide', 'production')).toThrow(/needs the group approvers-production or being one of its approvers in the config/);
  });

  it('lets an approver decide only in their environment', () => {
    const approver = user(['approvers-staging']);
    const rights = consoleRights(approver, config);

    expect(() => requireRight(rights, approver, 'decide', 'staging')).not.toThrow();
    expect(() => requireRight(rights, approver, 'decide', 'production')).toThrow(ForbiddenError);
  });
});
