import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { LOCAL_NOTIFICATIONS_RECIPIENT } from '../../adapters/local/outbox-notifications';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../adapters/local/dynamodb/dynamodb-local';
import { isRunning } from '../support/processes';

const run = promisify(execFile);
/** What `npm start` and the installed `cot` run: one Node process that loads the TypeScript CLI through tsx. */
const COT = join('bin', 'cot.mjs');

/** `cot local` as a newcomer runs it, in a child process on a free port with a temp data folder. */
export class LocalModeProcess {
  output = '';
  private child?: ChildProcess;

  private constructor(
    readonly port: number,
    readonly dataDir: string,
  ) {}

  /**
   * Starts local mode; on `dataDir`, a restart on the data folder a previous run left.
   * `config` is the release configuration it runs (default: the sample that ships).
   */
  static async start(options: { dataDir?: string; config?: string } = {}): Promise<LocalModeProcess> {
    const local = new LocalModeProcess(await freePort(), options.dataDir ?? mkdtempSync(join(tmpdir(), 'cot-e2e-')));
    const child = spawn(process.execPath, [COT, 'local', '--port', String(local.port), '--data', local.dataDir, '--config', options.config ?? 'release.config.yaml'], {
      env: { ...process.env, COT_WEBHOOK_SECRET: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    local.child = child;
    child.stdout?.on('data', (chunk: Buffer) => (local.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (local.output += chunk.toString()));
    await local.until(async () => (await fetch(`${local.url}/health`).catch(() => undefined))?.status === 200, 90_000, 'local mode /health');
    return local;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get repository(): string {
    return join(this.dataDir, 'repos', 'sample-service');
  }

  /**
   * A commit in the local repository: its post-commit hook posts the signed push webhook. Git runs
   * asynchronously, as a person's terminal would: the test process keeps serving its own connections
   * while the hook runs.
   */
  async commit(message: string, files: Record<string, string | null> = {}, repository = 'sample-service'): Promise<string> {
    const cwd = join(this.dataDir, 'repos', repository);
    const git = async (...args: string[]) =>
      (await run('git', ['-c', 'user.name=Newcomer', '-c', 'user.email=newcomer@example.com', ...args], { cwd, encoding: 'utf8' })).stdout.trim();
    for (const [file, content] of Object.entries(files)) {
      if (content === null) await git('rm', '--quiet', file);
      else await writeFile(join(cwd, file), content);
    }
    await git('add', '--all');
    await git('commit', '--quiet', '--allow-empty', '-m', message);
    return git('rev-parse', 'HEAD');
  }

  async api<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as T };
  }

  /**
   * The emails to people written so far (the outbox's RFC 5322 files, quoted-printable decoded), oldest
   * first; the notices local mode files for the notification topic (to `LOCAL_NOTIFICATIONS_RECIPIENT`)
   * are nobody's email and are left out (`notices()`).
   */
  emails(): string[] {
    return this.outbox().filter((email) => !email.includes(`To: ${LOCAL_NOTIFICATIONS_RECIPIENT}`));
  }

  /** The notices local mode filed for the notification topic, oldest first. */
  notices(): string[] {
    return this.outbox().filter((email) => email.includes(`To: ${LOCAL_NOTIFICATIONS_RECIPIENT}`));
  }

  private outbox(): string[] {
    const outbox = join(this.dataDir, 'outbox');
    let files: string[];
    try {
      files = readdirSync(outbox).filter((name) => name.endsWith('.eml')).sort();
    } catch {
      return [];
    }
    return files.map((file) =>
      readFileSync(join(outbox, file), 'utf8')
        .replace(/=\r?\n/g, '')
        .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
    );
  }

  /** The approval links emailed so far, oldest first. */
  emailedLinks(): string[] {
    return this.emails().flatMap((decoded) => {
      const link = /http:\/\/127\.0\.0\.1:\d+\/approvals\/[A-Za-z0-9_-]+\?t=[A-Za-z0-9_-]+/.exec(decoded);
      return link ? [link[0]] : [];
    });
  }

  /** Waits for a new emailed link beyond the `known` ones. */
  async nextLink(known: number): Promise<string> {
    let link: string | undefined;
    await this.until(async () => (link = this.emailedLinks()[known]) !== undefined, 30_000, 'an approval email');
    return link!;
  }

  async until(condition: () => Promise<boolean>, timeoutMs = 30_000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await condition())) {
      if (this.child?.exitCode !== null && this.child?.exitCode !== undefined) throw new Error(`local mode exited (${this.child.exitCode}):\n${this.output}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; local mode printed:\n${this.output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /**
   * `kill -9` of local mode, by the PID its data-folder lock names (the process a person finds; the
   * process this test started, should it be another): nothing of local mode's own clean-up runs, and the
   * data folder stays for a restart. Resolves once local mode is gone.
   */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const { pid } = JSON.parse(readFileSync(join(this.dataDir, 'local-mode.lock'), 'utf8')) as { pid: number };
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(pid, 'SIGKILL');
    child.kill('SIGKILL');
    await exited;
    while (isRunning(pid)) await new Promise((resolve) => setTimeout(resolve, 50));
  }

  /** Ctrl-C: resolves with the exit code once the process is gone. */
  async stop(): Promise<number | null> {
    const child = this.child;
    if (!child || child.exitCode !== null) return child?.exitCode ?? null;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    const code = await Promise.race([exited, new Promise<null>((resolve) => setTimeout(() => resolve(null), 15_000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(this.dataDir, { recursive: true, force: true });
    return code;
  }
}

/** Runs the `cot` CLI as a user does, against an endpoint; resolves with its exit code and output. */
export function cot(endpoint: string, ...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [COT, ...args, '--endpoint', endpoint], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

