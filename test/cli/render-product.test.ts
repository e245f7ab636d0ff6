import { describe, expect, it } from 'vitest';
import { Status } from '../../cli/api-types';
import { renderStatus } from '../../cli/render/status';
import { NOW, STATUS } from './support/fixtures';

describe('renderStatus with the product row', () => {
  it('shows, per environment, the promotion that made the accepted set and how many changes wait below', () => {
    const status = Status.parse({
      ...STATUS,
      product: {
        name: 'sample-service',
        environments: {
          integration: { releaseId: null, acceptedAt: null, waiting: [], changesWaiting: 0 },
          preproduction: { releaseId: 'r-promo-1', acceptedAt: '2024-05-01T11:40:00Z', waiting: ['api', 'web'], changesWaiting: 2 },
          production: { releaseId: null, acceptedAt: null, waiting: ['web'], changesWaiting: 1 },
        },
      },
    });

    const text = renderStatus(status, { color: false, now: new Date(NOW) });

    const row = text.split('\n').findIndex((line) => line.startsWith('sample-service (product)'));
    expect(row).toBeGreaterThan(0);
    expect(text.split('\n')[row]).toMatch(/^sample-service \(product\) +no promotion yet +r-promo-1 .+ +no promotion yet$/);
    expect(text.split('\n')[row + 1]).toMatch(/^ +nothing waiting +2 changes waiting \(api, web\) +1 change waiting \(web\)$/);
  });
});
