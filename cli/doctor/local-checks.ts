import { execFile } from 'node:child_process';
import type { ReleaseConfig } from '../../core/config';
import { ConfigError, loadConfig } from '../../core/config-file';
import type { Fetch } from '../io';
import { errorMessage, type Check, type CheckResult } from './check';

/** What the local checks look at, injected so that tests are deterministic. */
export interface LocalProbes {
  /** `process.version`, e.g. `v20.19.0`. */
  nodeVersion(): string;
  /** What `java -version` prints; rejects with `code: 'ENOENT'` when there is no java on PATH. */
  javaVersion(signal: AbortSignal): Promise<string>;
  /** What `git --version` prints; rejects like `javaVersion`. */
  gitVersion(signal: AbortSignal): Promise<string>;
  readonly fetch: Fetch;
}

export function processProbes(fetch: Fetch): LocalProbes {
  return {
    nodeVersion: () => process.version,
    javaVersion: (signal) => printed('java', ['-version'], signal),
    gitVersion: (signal) => printed('git', ['--version'], signal),
    fetch,
  };
}

/** The engines field of package.json. */
const MIN_NODE = [20, 19] as const;
const MIN_JAVA = 17;
const JAVA_FIX = 'sudo apt-get install -y openjdk-17-jre-headless (Debian/Ubuntu) or brew install openjdk@17 (macOS)';
const GIT_FIX = 'sudo apt-get install -y git (Debian/Ubuntu) or brew install git (macOS)';

export function nodeCheck(probes: LocalProbes): Check {
  return {
    id: 'node',
    title: `Node.js ${MIN_NODE.join('.')}+ (22 or 24 are fine)`,
    run: async () => {
      const version = probes.nodeVersion();
      const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
      if (major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1])) return { status: 'ok', detail: version };
      return { status: 'fail', detail: `${version} is too old`, fix: 'install Node.js 22 or 24 (for example nvm install 22)' };
    },
  };
}

/** DynamoDB Local, local mode's CMDB, runs on the `java` of PATH (adapters/local/dynamodb). */
export function javaCheck(probes: LocalProbes): Check {
  return {
    id: 'java',
    title: `Java ${MIN_JAVA}+ on PATH (for DynamoDB Local)`,
    run: async (signal) => {
      let output: string;
      try {
        output = await probes.javaVersion(signal);
      } catch (error) {
        return { status: 'fail', detail: notFound(error) ? 'no java on PATH' : errorMessage(error), fix: JAVA_FIX };
      }
      // `openjdk version "17.0.15"`, `java version "21"`; before Java 9: `java version "1.8.0_292"`.
      const match = /version "(\d+)(?:\.(\d+))?[^"]*"/.exec(output);
      if (!match) return { status: 'warn', detail: `cannot read a version in: ${firstLine(output)}`, fix: `make sure java is Java ${MIN_JAVA} or newer` };
      const version = match[0].slice('version "'.length, -1);
      const major = match[1] === '1' ? Number(match[2]) : Number(match[1]);
      if (major >= MIN_JAVA) return { status: 'ok', detail: version };
      return { status: 'fail', detail: `Java ${version} is too old`, fix: JAVA_FIX };
    },
  };
}

/** Local mode makes and builds git repositories. */
export function gitCheck(probes: LocalProbes): Check {
  return {
    id: 'git',
    title: 'git on PATH',
    run: async (signal) => {
      try {
        return { status: 'ok', detail: firstLine(await probes.gitVersion(signal)) };
      } catch (error) {
        return { status: 'fail', detail: notFound(error) ? 'no git on PATH' : errorMessage(error), fix: GIT_FIX };
      }
    },
  };
}

/** `GET /health` answers 200 once local mode is ready and 503 while it starts (local/run-local.ts). */
export function localEndpointCheck(probes: LocalProbes, endpoint: URL): Check {
  const base = endpoint.href.endsWith('/') ? endpoint.href : `${endpoint.href}/`;
  const url = new URL('health', base).href;
  return {
    id: 'local-endpoint',
    title: `local mode answers at ${endpoint.origin}`,
    run: async (signal) => {
      let response: Response;
      try {
        response = await probes.fetch(url, { method: 'GET', signal });
      } catch (error) {
        return { status: 'warn', detail: `not running (${connectionProblem(error)})`, fix: 'start it with npm start' };
      }
      await response.body?.cancel();
      if (response.status === 200) return { status: 'ok', detail: `GET ${url} answered 200` };
      if (response.status === 503) return { status: 'warn', detail: 'still starting (GET /health answered 503)', fix: 'wait a few seconds' };
      return { status: 'warn', detail: `GET ${url} answered ${response.status}: is this local mode?`, fix: 'start it with npm start, or give --endpoint' };
    },
  };
}

export interface ConfigCheck {
  readonly result: CheckResult;
  /** The loaded config when the check passed. */
  readonly config?: ReleaseConfig;
}

/** Loads the config once: its result is a line, and the AWS checks read the loaded config. */
export function checkConfig(file: string, load: (file: string) => ReleaseConfig = loadConfig): ConfigCheck {
  const title = `${file} loads`;
  try {
    const config = load(file);
    const detail = `product ${config.product}: ${plural(config.repositories.length, 'repository', 'repositories')}, ${plural(config.environments.length, 'environment', 'environments')}`;
    return { result: { id: 'config', status: 'ok', title, detail }, config };
  } catch (error) {
    if (!(error instanceof ConfigError)) return { result: { id: 'config', status: 'fail', title, detail: errorMessage(error) } };
    const missing = error.problems.length === 1 && error.problems[0] === 'file not found';
    return {
      result: {
        id: 'config',
        status: 'fail',
        title,
        detail: error.problems.join('; '),
        fix: missing ? 'run cot doctor where release.config.yaml is, or give --config <file>' : 'see docs/configuration.md',
      },
    };
  }
}

function printed(command: string, args: string[], signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { signal, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) reject(error);
      // java prints its version on stderr, git on stdout.
      else resolve(`${stdout}${stderr}`);
    });
  });
}

function notFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

/** Node's fetch says only "fetch failed"; the reason (ECONNREFUSED, ...) is its cause. */
function connectionProblem(error: unknown): string {
  const cause = (error as { cause?: { code?: string } } | undefined)?.cause;
  return cause?.code ?? errorMessage(error);
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}
