import { describe, expect, it } from 'vitest';
import { releaseUrl } from '../../lambdas/compose';

describe('releaseUrl: where a commit status links (docs/operations.md#commit-statuses)', () => {
  it('is the console\'s release page when the console is known, on AWS and in local mode', () => {
    expect(releaseUrl({ console: 'https://abc1234567.execute-api.eu-west-1.amazonaws.com/prod/console', api: 'https://x/prod/' }, 'r-1')).toBe('https://abc1234567.execute-api.eu-west-1.amazonaws.com/prod/console#/release/r-1');
    expect(releaseUrl({ console: 'http://127.0.0.1:3000/' }, 'r-1')).toBe('http://127.0.0.1:3000/#/release/r-1');
  });

  it('is the API\'s answer for the release without a console, and nothing without either', () => {
    expect(releaseUrl({ api: 'https://abc1234567.execute-api.eu-west-1.amazonaws.com/prod/' }, 'r-1')).toBe('https://abc1234567.execute-api.eu-west-1.amazonaws.com/prod/api/releases/r-1');
    expect(releaseUrl({}, 'r-1')).toBeUndefined();
  });
});
