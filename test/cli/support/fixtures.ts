/** API answers shaped exactly as docs/architecture.md#json-answers shows them. */

export const NOW = new Date('2024-05-01T12:00:00Z');

export const SHA_A = '4f9c2e1a7b3d5e6f8091a2b3c4d5e6f708192a3b';
export const SHA_B = '9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a291807';
export const SHA_C = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';

export const EMPTY_STATUS = { environments: ['integration', 'preproduction', 'production'], repositories: [], pendingApprovals: [] };

export const STATUS = {
  environments: ['integration', 'preproduction', 'production'],
  repositories: [
    {
      name: 'sample-service',
      environments: {
        integration: { commit: SHA_A, acceptedCommit: SHA_A, state: 'accepted', releaseId: 'rel-int-1', updatedAt: '2024-05-01T11:57:00Z', held: false },
        preproduction: { commit: SHA_B, acceptedCommit: SHA_B, state: 'awaiting_acceptance', releaseId: 'rel-pre-1', updatedAt: '2024-05-01T10:00:00Z', held: false },
        production: null,
      },
    },
  ],
  pendingApprovals: [
    { id: 'apr-accept-1', releaseId: 'rel-pre-1', repository: 'sample-service', environment: 'preproduction', commit: SHA_B, gate: 'accept', expiresAt: '2024-05-08T12:00:00Z' },
  ],
};

export const HELD_STATUS = {
  environments: ['integration', 'production'],
  repositories: [
    {
      name: 'a-very-long-repository-name-for-the-board',
      environments: {
        integration: { commit: SHA_C, acceptedCommit: SHA_A, state: 'rolled_back', releaseId: 'rel-rb-1', updatedAt: '2024-04-28T12:00:00Z', held: true },
        production: null,
      },
    },
    { name: 'api', environments: { integration: null, production: null } },
  ],
  pendingApprovals: [],
};

export const HISTORY_PAGE = {
  items: [
    {
      commit: SHA_B,
      releaseId: 'rel-pre-2',
      kind: 'release',
      state: 'accepted',
      startedAt: '2024-05-01T09:00:00Z',
      finishedAt: '2024-05-01T09:30:00Z',
      approvals: [{ gate: 'accept', decision: 'approve', by: 'qa@example.com', at: '2024-05-01T09:30:00Z', comment: 'fine' }],
    },
    { commit: SHA_A, releaseId: 'rel-pre-1', kind: 'rollback', state: 'failed', startedAt: '2024-04-30T16:05:00Z', finishedAt: null, approvals: [] },
  ],
  cursor: 'eyJwayI6InJlbCJ9',
};

export function release(state: string, history: { state: string; at: string; by: string }[], extra: Record<string, unknown> = {}) {
  return { releaseId: 'rel-1', repository: 'sample-service', environment: 'preproduction', commit: SHA_B, state, history, ...extra };
}

export const RELEASE = release('accepted', [
  { state: 'prepared', at: '2024-05-01T11:00:00Z', by: 'alice@example.com' },
  { state: 'deploying', at: '2024-05-01T11:00:02Z', by: 'codebuild' },
  { state: 'testing', at: '2024-05-01T11:03:10Z', by: 'codebuild' },
  { state: 'awaiting_acceptance', at: '2024-05-01T11:05:00Z', by: 'system' },
  { state: 'accepted', at: '2024-05-01T11:40:00Z', by: 'qa@example.com' },
]);
