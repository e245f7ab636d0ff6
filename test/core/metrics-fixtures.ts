import { ReleaseConfig } from '../../core/config';

/** Two repositories and the shortest chain, for the delivery metrics tests. */
export const metricsConfig = ReleaseConfig.parse({
  product: 'acme',
  repositories: [
    { name: 'svc', provider: 'github', url: 'https://github.com/acme/svc' },
    { name: 'api', provider: 'github', url: 'https://github.com/acme/api' },
  ],
  environments: [
    { name: 'integration', mode: 'continuous', branch: 'main' },
    { name: 'production', mode: 'approval', approvers: ['rm@example.com'] },
  ],
  notifications: { from: 'releases@example.com' },
});
