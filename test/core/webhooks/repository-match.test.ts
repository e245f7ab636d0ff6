import { describe, expect, it } from 'vitest';
import { RepositoryConfig } from '../../../core/config';
import { findRepository, normaliseRepositoryUrl } from '../../../core/webhooks/repository-match';

const configured = [
  { name: 'api', provider: 'github', url: 'https://github.com/Acme/API.git' },
  { name: 'web-gh', provider: 'github', url: 'https://github.com/acme/web' },
  { name: 'web-ghe', provider: 'github', url: 'https://ghe.acme.example/acme/web' },
  { name: 'ops', provider: 'gitlab', url: 'https://gitlab.acme.example/platform/infra/ops/' },
].map((repository) => RepositoryConfig.parse(repository));

describe('normaliseRepositoryUrl', () => {
  it.each([
    { url: 'https://GitHub.com/Acme/API.git', expected: 'github.com/acme/api' },
    { url: 'https://github.com/acme/api/', expected: 'github.com/acme/api' },
    { url: 'http://github.com/acme/api.git/', expected: 'github.com/acme/api' },
    { url: 'https://user:pw@github.com:8443/acme/api?x=1#y', expected: 'github.com:8443/acme/api' },
    { url: 'git@github.com:acme/api.git', expected: undefined },
    { url: 'javascript:alert(1)', expected: undefined },
    { url: 'https://github.com/', expected: undefined },
    { url: 'not a url', expected: undefined },
  ])('$url -> $expected', ({ url, expected }) => {
    expect(normaliseRepositoryUrl(url)).toBe(expected);
  });
});

describe('findRepository', () => {
  it.each([
    { title: 'by URL, ignoring case and .git', provider: 'github', claim: { url: 'https://github.com/acme/api' }, expected: 'api' },
    { title: 'by full name when the URL differs', provider: 'github', claim: { url: 'https://github.example/x', fullName: 'ACME/api' }, expected: 'api' },
    { title: 'by URL where the full name is ambiguous', provider: 'github', claim: { url: 'https://ghe.acme.example/acme/web', fullName: 'acme/web' }, expected: 'web-ghe' },
    { title: 'not by an ambiguous full name alone', provider: 'github', claim: { fullName: 'acme/web' }, expected: undefined },
    { title: 'a GitLab subgroup path', provider: 'gitlab', claim: { fullName: 'platform/infra/ops' }, expected: 'ops' },
    { title: 'not across providers', provider: 'gitlab', claim: { url: 'https://github.com/acme/api', fullName: 'acme/api' }, expected: undefined },
    { title: 'not with an empty claim', provider: 'github', claim: {}, expected: undefined },
  ] as const)('$title', ({ provider, claim, expected }) => {
    expect(findRepository(configured, provider, claim)?.name).toBe(expected);
  });
});
