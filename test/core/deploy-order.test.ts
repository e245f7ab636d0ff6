import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ConfigError, parseConfig } from '../../core/config-file';
import { deployWaves } from '../../core/deploy-order';

const repo = (name: string, deployAfter?: string[]) => ({ name, provider: 'github', url: `https://github.com/acme/${name}`, ...(deployAfter ? { deployAfter } : {}) });

function problems(repositories: unknown[]): string[] {
  const config = {
    product: 'shop',
    repositories,
    environments: [{ name: 'integration', mode: 'continuous', branch: 'main' }],
    notifications: { from: 'releases@example.com' },
  };
  try {
    parseConfig(stringify(config), 'release.config.yaml');
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
}

describe('deployAfter in the config', () => {
  it.each([
    ['an unknown repository', [repo('web', ['apii']), repo('api')], ['repositories[0].deployAfter[0]: unknown repository "apii"; configured: web, api']],
    ['itself', [repo('web', ['web'])], ['repositories[0].deployAfter[0]: "web" is this repository: it cannot deploy after itself']],
    ['a cycle', [repo('web', ['api']), repo('api', ['worker']), repo('worker', ['web'])], ['repositories[0].deployAfter: deployAfter makes a cycle: web -> api -> worker -> web']],
    ['a name of another shape', [repo('web', ['API'])], [expect.stringMatching(/^repositories\[0\]\.deployAfter\[0\]: must be lowercase/), 'repositories[0].deployAfter[0]: unknown repository "API"; configured: web']],
  ])('refuses %s', (_case, repositories, expected) => {
    expect(problems(repositories)).toEqual(expected);
  });

  it('accepts an order without cycles', () => {
    expect(problems([repo('web', ['api', 'worker']), repo('api'), repo('worker', ['api'])])).toEqual([]);
  });
});

describe('deploy waves', () => {
  const repositories = [repo('web', ['api', 'worker']), repo('api'), repo('worker', ['api']), repo('docs')];

  it.each([
    ['every repository', ['web', 'api', 'worker', 'docs'], [['api', 'docs'], ['worker'], ['web']]],
    ['a repository whose predecessor is not promoted', ['web', 'worker'], [['worker'], ['web']]],
    ['independent ones', ['docs', 'api'], [['api', 'docs']]],
    ['one', ['web'], [['web']]],
  ])('orders %s', (_case, names, waves) => {
    expect(deployWaves(repositories, names)).toEqual(waves);
  });
});
