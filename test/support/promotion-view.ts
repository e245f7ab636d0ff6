import type { ApprovalView } from '../../core/approval-view';
import { commitUrl } from '../../core/repository-url';

export const A = 'a'.repeat(40);
export const B = 'b'.repeat(40);
export const OLD = 'c'.repeat(40);

/** A promotion's approval as `describeApproval` gives it: hostile text where a person wrote it. */
export const promotionView: ApprovalView = {
  approvalId: 'a-1',
  releaseId: 'r-1',
  repository: 'shop',
  environment: 'preproduction',
  nextEnvironment: 'production',
  gate: 'accept',
  commit: '',
  shortCommit: '2 repositories',
  requestedBy: 'alice <script>',
  runningNow: null,
  expiresAt: new Date('2030-01-01T00:00:00Z'),
  members: [
    { repository: 'api', commit: A, shortCommit: A.slice(0, 7), commitUrl: commitUrl({ provider: 'github', url: 'https://github.com/acme/api' }, A), message: 'Fix <img src=x onerror=alert(1)>\nbody', author: 'Dev "quote"', runningNow: OLD, compare: { base: OLD, url: `https://github.com/acme/api/compare/${OLD}...${A}` } },
    { repository: 'web', commit: B, shortCommit: B.slice(0, 7), commitUrl: commitUrl({ provider: 'gitlab', url: 'https://gitlab.com/acme/web' }, B), runningNow: null },
  ],
};

