import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { ConfigError, loadConfig, parseConfig } from '../../core/config-file';
import { EnvironmentChain } from '../../core/environment-chain';
import { parseDuration } from '../../core/duration';

const valid = {
  product: 'shop',
  repositories: [{ name: 'api', provider: 'github', url: 'https://github.com/acme/api' }],
  environments: [
    { name: 'integration', mode: 'continuous', branch: 'main' },
    { name: 'production', mode: 'approval', approvers: ['rm@example.com'] },
  ],
  notifications: { from: 'releases@example.com' },
};

type Config = typeof valid & Record<string, unknown>;

function problems(mutate: (config: Config) => unknown): string[] {
  const config = structuredClone(valid) as Config;
  mutate(config);
  try {
    parseConfig(stringify(config), 'release.config.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  return [];
}

describe('release.config.yaml validation', () => {
  it('accepts the example that ships, with defaults filled in', () => {
    const config = loadConfig('release.config.yaml');

    expect(config.environments.map((env) => env.name)).toEqual(['integration', 'preproduction', 'production']);
    expect(config.environments[1]).toMatchObject({ approvalTimeout: '7d', approveBeforeDeploy: false, autoRollback: false });
    expect(config.environments[2]).toMatchObject({ approvalTimeout: '3d', approveBeforeDeploy: true, autoRollback: true });
    expect(config.repositories[0]).toMatchObject({ buildspec: 'buildspec.yml', deployspec: 'deployspec.yml', testspec: 'testspec.yml' });
  });

  it.each<[string, (config: Config) => unknown, string]>([
    ['duplicate environment', (c) => c.environments.push({ name: 'production', mode: 'approval', approvers: ['x@example.com'] }), 'environments[2].name: duplicate name "production": names must be unique'],
    ['duplicate repository', (c) => c.repositories.push({ ...c.repositories[0]! }), 'repositories[1].name: duplicate name "api": names must be unique'],
    ['approval environment without approvers', (c) => (c.environments[1] = { name: 'production', mode: 'approval', approvers: [] }), 'environments[1].approvers: an approval environment needs at least one approver'],
    ['approval environment missing approvers', (c) => (c.environments[1] = { name: 'production', mode: 'approval' } as never), 'environments[1].approvers: is required (array)'],
    ['bad duration', (c) => Object.assign(c.environments[1]!, { approvalTimeout: '3 days' }), 'environments[1].approvalTimeout: must be a whole number followed by s, m, h or d, for example 90s, 30m, 12h or 3d'],
    ['zero duration', (c) => Object.assign(c.environments[1]!, { approvalTimeout: '0s' }), 'environments[1].approvalTimeout: must be longer than zero'],
    ['too long an approval', (c) => Object.assign(c.environments[1]!, { approvalTimeout: '91d' }), 'environments[1].approvalTimeout: must be at most 90d'],
    ['unknown provider', (c) => Object.assign(c.repositories[0]!, { provider: 'svn' }), 'repositories[0].provider: must be one of "github", "gitlab", "bitbucket"'],
    ['continuous after approval', (c) => c.environments.push({ name: 'late', mode: 'continuous', branch: 'main' }), 'environments[2].mode: continuous environment "late" comes after approval environment "production": continuous environments must come first'],
    ['approval first', (c) => c.environments.reverse(), 'environments[0].mode: the first environment must be continuous: it is where every push is built and accepted'],
    ['unknown mode', (c) => Object.assign(c.environments[1]!, { mode: 'manual' }), 'environments[1].mode: mode must be "continuous" or "approval"'],
    ['bad approver email', (c) => Object.assign(c.environments[1]!, { approvers: ['not-an-email'] }), 'environments[1].approvers[0]: must be an email address'],
    ['bad sender email', (c) => (c.notifications.from = 'nobody'), 'notifications.from: must be an email address'],
    ['http url', (c) => Object.assign(c.repositories[0]!, { url: 'http://github.com/acme/api' }), 'repositories[0].url: must be an https:// URL of the repository'],
    ['bad name', (c) => (c.product = 'Shop Front'), 'product: must be lowercase letters, digits and dashes (at most 63), starting with a letter or digit'],
    ['unknown field', (c) => Object.assign(c.environments[0]!, { approvers: ['a@example.com'] }), 'environments[0]: unknown field "approvers"'],
    ['missing environments', (c) => delete (c as Partial<Config>).environments, 'environments: is required (array)'],
    ['wrong type', (c) => Object.assign(c, { product: 5 }), 'product: Invalid input: expected string, received number'],
    ['no repositories', (c) => (c.repositories = []), 'repositories: at least one repository is needed'],
    ['bad spec file', (c) => Object.assign(c.repositories[0]!, { buildspec: '../../etc/passwd' }), 'repositories[0].buildspec: must be a relative path to a YAML file'],
  ])('refuses %s, naming the field and the rule', (_case, mutate, message) => {
    expect(problems(mutate)).toContain(message);
  });

  it.each([
    ['invalid YAML', 'product: [unclosed\n', /^invalid YAML: /],
    ['duplicate keys', 'product: a\nproduct: b\n', /^invalid YAML: Map keys must be unique/],
    ['an empty file', '', /^\(top level\)|^product: is required/],
  ])('refuses %s with a readable message', (_case, text, pattern) => {
    const error = (() => {
      try {
        parseConfig(text, 'release.config.yaml');
      } catch (caught) {
        return caught as ConfigError;
      }
      throw new Error('no error');
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.problems[0]).toMatch(pattern);
    expect(error.message).toMatch(/^release\.config\.yaml is not valid:\n {2}- /);
  });

  it('names a missing file', () => {
    expect(() => loadConfig('/nonexistent/release.config.yaml')).toThrow('/nonexistent/release.config.yaml is not valid:\n  - file not found');
  });

  it.each([
    ['90s', 90],
    ['30m', 1800],
    ['12h', 43_200],
    ['3d', 259_200],
  ])('reads duration %s as %i seconds', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });
});

describe('release.config.yaml AWS settings: connections, build settings, deploy targets', () => {
  const connection = 'arn:aws:codeconnections:eu-west-1:111111111111:connection/0a1b2c3d-4e5f-6789-abcd-ef0123456789';
  const role = 'arn:aws:iam::222222222222:role/cot-deployer';

  it.each<[string, (config: Config) => unknown, string]>([
    ['a connection ARN of another service', (c) => Object.assign(c.repositories[0]!, { connectionArn: 'arn:aws:iam::111111111111:role/x' }), 'repositories[0].connectionArn: must be a CodeConnections connection ARN: arn:aws:codeconnections:<region>:<account>:connection/<id> (or arn:aws:codestar-connections:...)'],
    ['a connection ARN without an id', (c) => Object.assign(c.repositories[0]!, { connectionArn: 'arn:aws:codeconnections:eu-west-1:111111111111:connection/' }), 'repositories[0].connectionArn: must be a CodeConnections connection ARN: arn:aws:codeconnections:<region>:<account>:connection/<id> (or arn:aws:codestar-connections:...)'],
    ['an unknown compute type', (c) => Object.assign(c.repositories[0]!, { build: { computeType: 'HUGE' } }), 'repositories[0].build.computeType: must be one of "SMALL", "MEDIUM", "LARGE", "X_LARGE", "X2_LARGE", "BUILD_GENERAL1_SMALL", "BUILD_GENERAL1_MEDIUM", "BUILD_GENERAL1_LARGE", "BUILD_GENERAL1_XLARGE", "BUILD_GENERAL1_2XLARGE"'],
    ['an image with a space', (c) => Object.assign(c.repositories[0]!, { build: { image: 'node 22' } }), 'repositories[0].build.image: must be a container image: a CodeBuild image id (aws/codebuild/standard:7.0) or a registry image (public.ecr.aws/...:tag)'],
    ['privileged as a string', (c) => Object.assign(c.repositories[0]!, { build: { privileged: 'yes' } }), 'repositories[0].build.privileged: Invalid input: expected boolean, received string'],
    ['an unknown build field', (c) => Object.assign(c.repositories[0]!, { build: { memory: 4 } }), 'repositories[0].build: unknown field "memory"'],
    ['an account as a number', (c) => Object.assign(c.environments[1]!, { account: 222222222222, deployRoleArn: role }), 'environments[1].account: must be a 12-digit AWS account id, quoted: "123456789012"'],
    ['an account of 11 digits', (c) => Object.assign(c.environments[1]!, { account: '22222222222', deployRoleArn: role }), 'environments[1].account: must be a 12-digit AWS account id, quoted: "123456789012"'],
    ['an account other than the role\'s', (c) => Object.assign(c.environments[1]!, { account: '333333333333', deployRoleArn: role }), 'environments[1].account: is 333333333333 but deployRoleArn is in account 222222222222: they must match'],
    ['a region that is no region', (c) => Object.assign(c.environments[1]!, { region: 'Europe', deployRoleArn: role }), 'environments[1].region: must be an AWS region name, for example eu-west-1'],
    ['a user ARN as the deploy role', (c) => Object.assign(c.environments[0]!, { deployRoleArn: 'arn:aws:iam::222222222222:user/deployer' }), 'environments[0].deployRoleArn: must be an IAM role ARN: arn:aws:iam::<account>:role/<name>'],
    ['an account without a deploy role', (c) => Object.assign(c.environments[1]!, { account: '222222222222' }), 'environments[1].account: needs deployRoleArn: account and region say where that role deploys'],
    ['a region without a deploy role', (c) => Object.assign(c.environments[0]!, { region: 'eu-west-1' }), 'environments[0].region: needs deployRoleArn: account and region say where that role deploys'],
  ])('refuses %s, naming the field and the rule', (_case, mutate, message) => {
    expect(problems(mutate)).toContain(message);
  });

  it.each<[string, (config: Config) => unknown]>([
    ['gitlab with a CodeConnections connection', (c) => Object.assign(c.repositories[0]!, { provider: 'gitlab', url: 'https://gitlab.com/acme/api', connectionArn: connection })],
    ['github with a CodeStar connection', (c) => Object.assign(c.repositories[0]!, { connectionArn: 'arn:aws:codestar-connections:us-east-1:111111111111:connection/abc-123' })],
    ['short and CodeBuild compute type names', (c) => c.repositories.push({ ...c.repositories[0]!, name: 'web', build: { computeType: 'BUILD_GENERAL1_LARGE' } } as never, { ...c.repositories[0]!, name: 'db', build: { computeType: 'X2_LARGE', image: 'public.ecr.aws/docker/library/node:22', privileged: true } } as never)],
    ['a CodeBuild image id', (c) => Object.assign(c.repositories[0]!, { build: { image: 'aws/codebuild/amazonlinux-x86_64-standard:5.0' } })],
    ['a deploy role alone', (c) => Object.assign(c.environments[1]!, { deployRoleArn: role })],
    ['a deploy role with a path, its account and a region', (c) => Object.assign(c.environments[0]!, { deployRoleArn: 'arn:aws:iam::222222222222:role/cot/deployer', account: '222222222222', region: 'us-gov-west-1' })],
    ['a deploy role in the China partition', (c) => Object.assign(c.environments[1]!, { deployRoleArn: 'arn:aws-cn:iam::222222222222:role/deployer', region: 'cn-north-1' })],
  ])('accepts %s', (_case, mutate) => {
    expect(problems(mutate)).toEqual([]);
  });

  it('refuses a gitlab repository without a connection for AWS (cdk synth), and accepts it for local mode', () => {
    const gitlab = structuredClone(valid) as Config;
    Object.assign(gitlab.repositories[0]!, { provider: 'gitlab', url: 'https://gitlab.com/acme/api' });
    const text = stringify(gitlab);

    expect(() => parseConfig(text, 'release.config.yaml')).not.toThrow();
    expect(() => parseConfig(text, 'release.config.yaml', { forAws: true })).toThrow(
      'release.config.yaml is not valid:\n  - repositories[0].connectionArn: is required for provider "gitlab" on AWS: CodeBuild checks GitLab repositories out through a CodeConnections connection',
    );
    Object.assign(gitlab.repositories[0]!, { connectionArn: connection });
    expect(() => parseConfig(stringify(gitlab), 'release.config.yaml', { forAws: true })).not.toThrow();
  });
});

describe('environment chain', () => {
  const chain = new EnvironmentChain(loadConfig('release.config.yaml'));

  it('knows what is below and above each environment', () => {
    expect(chain.below('preproduction')?.name).toBe('integration');
    expect(chain.below('production')?.name).toBe('preproduction');
    expect(chain.below('integration')).toBeUndefined();
    expect(chain.above('preproduction')?.name).toBe('production');
    expect(chain.above('production')).toBeUndefined();
  });

  it('finds the continuous environment of a branch and the approval timeout', () => {
    expect(chain.continuousFor('main')?.name).toBe('integration');
    expect(chain.continuousFor('develop')).toBeUndefined();
    expect(chain.approvalTimeoutSeconds('production')).toBe(3 * 86_400);
    expect(chain.approvalTimeoutSeconds('preproduction')).toBe(7 * 86_400);
  });

  it('refuses unknown and continuous environments where an approval one is needed', () => {
    expect(() => chain.get('staging')).toThrow('unknown environment "staging"; configured: integration, preproduction, production');
    expect(() => chain.approval('integration')).toThrow(/is continuous/);
  });
});

describe('JSON Schema for editors', () => {
  it('is generated from the validator and committed', async () => {
    const { configJsonSchema } = await import('../../scripts/write-config-schema');
    const committed = JSON.parse(readFileSync('release.config.schema.json', 'utf8')) as unknown;

    expect(committed).toEqual(configJsonSchema());
  });
});

describe('release.config.yaml fields local mode needs to run', () => {
  it.each([
    ['a space', 'my branch'],
    ['two dots', 'release..1'],
    ['a part starting with a dot', 'feature/.hidden'],
    ['a .lock part', 'main.lock'],
    ['a leading dash', '-main'],
    ['a colon', 'a:b'],
    ['a trailing slash', 'main/'],
    ['@{', 'main@{1}'],
  ])('refuses a branch name with %s', (_case, branch) => {
    const found = problems((config) => (config.environments[0]!.branch = branch));

    expect(found).toEqual([expect.stringMatching(/^environments\[0\]\.branch: must be a valid git branch name/)]);
  });

  it.each(['main', 'release/2026.11', 'feature/a-b_c', 'v1'])('accepts the branch name %s', (branch) => {
    expect(problems((config) => (config.environments[0]!.branch = branch))).toEqual([]);
  });

  /** Writes a config file with one repository's localPath into a fresh folder, and loads it. */
  function loadWithLocalPath(localPath: string, prepare: (dir: string) => void = () => undefined): string[] {
    const dir = mkdtempSync(join(tmpdir(), 'cot-config-'));
    try {
      prepare(dir);
      const file = join(dir, 'release.config.yaml');
      writeFileSync(file, stringify({ ...valid, repositories: [{ ...valid.repositories[0], localPath }] }));
      loadConfig(file, { localPaths: true });
      return [];
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as ConfigError).problems;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('accepts a localPath that is a folder inside the config file\'s folder', () => {
    expect(loadWithLocalPath('services/api', (dir) => mkdirSync(join(dir, 'services', 'api'), { recursive: true }))).toEqual([]);
  });

  it.each([
    ['outside the config folder', '../../etc', /is outside the folder of the config file/],
    ['absolute, elsewhere', '/etc', /is outside the folder of the config file/],
    ['missing', 'services/none', /does not exist/],
  ])('refuses a localPath %s', (_case, localPath, message) => {
    expect(loadWithLocalPath(localPath)).toEqual([expect.stringMatching(/^repositories\[0\]\.localPath: /)]);
    expect(loadWithLocalPath(localPath)[0]).toMatch(message);
  });

  it('refuses a localPath outside the config folder even where no folder is needed (the CDK app, the CLI)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cot-config-'));
    const file = join(dir, 'release.config.yaml');
    writeFileSync(file, stringify({ ...valid, repositories: [{ ...valid.repositories[0], localPath: '../elsewhere' }] }));
    try {
      expect(() => loadConfig(file)).toThrow(/repositories\[0\]\.localPath: "\.\.\/elsewhere" is outside the folder of the config file/);
      writeFileSync(file, stringify({ ...valid, repositories: [{ ...valid.repositories[0], localPath: 'not/here/yet' }] }));
      expect(loadConfig(file).repositories[0]?.localPath).toBe('not/here/yet');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a localPath that is a file, or a link inside that points outside', () => {
    const file = loadWithLocalPath('README.md', (dir) => writeFileSync(join(dir, 'README.md'), 'hi'));
    const link = loadWithLocalPath('escape', (dir) => symlinkSync('/etc', join(dir, 'escape')));

    expect(file).toEqual([expect.stringMatching(/localPath: "README.md" is not a folder/)]);
    expect(link).toEqual([expect.stringMatching(/localPath: "escape" is outside the folder of the config file/)]);
  });
});
