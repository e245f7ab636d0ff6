import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { freePort } from '../adapters/local/dynamodb/dynamodb-local';
import { ApiClient } from '../cli/api-client';
import { readAnswer, Release, Status } from '../cli/api-types';
import { isTerminal, RELEASE_STATES, type ReleaseState } from '../core/release-lifecycle';
import { pushWebhook, type LocalPush } from '../local/push-webhook';

const run = promisify(execFile);
const SECRET = 'bench-webhook-secret';
const ONE_AT_A_TIME = 40;
const BURST = 50;
const CONCURRENCY = 10;
const REPOSITORY = { name: 'sample-service', provider: 'github', url: 'https://github.com/acme/sample-service' } as const;

/**
 * The bench's HTTP client: Node's own, over kept-alive connections. It shares the machine's cores with
 * what it measures, and the git host it stands for is another machine: `fetch` (undici) spent about 2 ms
 * of CPU on each post, this client under 1 ms, CPU the measured processes would otherwise lose.
 */
const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
const ANSWER_TIMEOUT_MS = 60_000;

/** Sends one request; resolves with its status and body once the whole answer has arrived. */
function send(url: string, method: string, headers: Record<string, string> = {}, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method, agent, headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (response) => {
      let text = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      response.once('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
      response.once('error', reject);
    });
    outgoing.setTimeout(ANSWER_TIMEOUT_MS, () => outgoing.destroy(new Error(`no answer from ${method} ${url} within ${ANSWER_TIMEOUT_MS} ms`)));
    outgoing.once('error', reject);
    outgoing.end(body);
  });
}

/** `npm start` as a developer runs it (`node bin/cot.mjs local`), on a free port and a data folder of its own. */
class LocalMode {
  private child?: ChildProcess;
  constructor(
    readonly port: number,
    readonly dataDir: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts it and resolves with the milliseconds from the spawn to the first `/health` 200. */
  async start(): Promise<number> {
    const started = performance.now();
    this.child = spawn(process.execPath, ['bin/cot.mjs', 'local', '--port', String(this.port), '--data', this.dataDir, '--config', 'release.config.yaml'], {
      env: { ...process.env, COT_WEBHOOK_SECRET: SECRET, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      stdio: 'ignore',
    });
    for (;;) {
      if ((await send(`${this.url}/health`, 'GET').catch(() => undefined))?.status === 200) return performance.now() - started;
      if (performance.now() - started > 180_000) throw new Error('local mode did not answer /health within 3 minutes');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
  }

  /** Commits `count` empty commits in its copy of the sample service (no hook: the bench posts the pushes). */
  async commits(count: number): Promise<LocalPush[]> {
    const cwd = join(this.dataDir, 'repos', REPOSITORY.name);
    const git = async (...args: string[]) => (await run('git', ['-c', 'user.name=Bench', '-c', 'user.email=bench@example.com', '-c', 'core.hooksPath=/dev/null', ...args], { cwd })).stdout.trim();
    const pushes: LocalPush[] = [];
    let before = await git('rev-parse', 'HEAD');
    for (let index = 0; index < count; index += 1) {
      const message = `bench ${index}`;
      await git('commit', '--quiet', '--allow-empty', '-m', message);
      const commit = await git('rev-parse', 'HEAD');
      pushes.push({ branch: 'main', before, commit, message, authorName: 'Bench', authorEmail: 'bench@example.com' });
      before = commit;
    }
    return pushes;
  }

  /**
   * Posts a push's signed webhook; resolves with the milliseconds to its answer, counting those not 202 in
   * `failures` (0: no answer at all).
   */
  async push(push: LocalPush, failures: number[]): Promise<number> {
    const webhook = pushWebhook(REPOSITORY, push, SECRET);
    const start = performance.now();
    const status = await send(`${this.url}${webhook.path}`, 'POST', { 'content-type': 'application/json', ...webhook.headers }, webhook.body).then(
      (answer) => answer.status,
      () => 0,
    );
    if (status !== 202) failures.push(status);
    return performance.now() - start;
  }

  /**
   * Waits until integration's newest run is the one of `commit` and has ended, polling the board every
   * 100 ms; resolves with the milliseconds that took and the state it ended in (`accepted` once built,
   * deployed and tested), or undefined when that had not happened within two minutes. The board's cell
   * names the commit that runs there; a run that failed before its deploy is found by its release.
   */
  async integrated(commit: string): Promise<{ ms: number; state: string } | undefined> {
    // What `cot` reads the API with; polled before the burst, so `fetch`'s CPU costs nothing measured.
    const api = new ApiClient(new URL(this.url), fetch);
    const started = performance.now();
    while (performance.now() - started < 120_000) {
      // An answer that fails or does not fit is polled again.
      const status = await api.getStatus().then((json) => readAnswer(Status, json, 'GET /api/status')).catch(() => undefined);
      const cell = status?.repositories.find((repository) => repository.name === REPOSITORY.name)?.environments.integration;
      if (cell?.state && cell.releaseId && ended(cell.state)) {
        const { releaseId } = cell;
        const release = cell.commit === commit ? undefined : await api.getRelease(releaseId).then((json) => readAnswer(Release, json, `GET /api/releases/${releaseId}`)).catch(() => undefined);
        if ((release?.commit ?? cell.commit) === commit) return { ms: performance.now() - started, state: cell.state };
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return undefined;
  }

  /** Local mode's process and the DynamoDB Local it started (its `java` child), for their CPU times. */
  processes(): { server?: number; dynamodb?: number } {
    const server = this.child?.pid;
    if (server === undefined) return {};
    const children = readProc(`${server}/task/${server}/children`)?.trim().split(/\s+/).filter(Boolean).map(Number) ?? [];
    return { server, dynamodb: children.find((pid) => readProc(`${pid}/comm`)?.trim() === 'java') };
  }

  async health(): Promise<number> {
    const start = performance.now();
    await send(`${this.url}/health`, 'GET');
    return performance.now() - start;
  }
}

/** A release state no workflow works on any more (an answer's state, which may be one this bench does not know). */
function ended(state: string): boolean {
  return (RELEASE_STATES as readonly string[]).includes(state) && isTerminal(state as ReleaseState);
}

function readProc(path: string): string | undefined {
  try {
    return readFileSync(`/proc/${path}`, 'utf8');
  } catch {
    return undefined;
  }
}

/** Clock ticks a second, the unit of /proc's CPU times (Linux only; elsewhere undefined). */
const TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || undefined;
  } catch {
    return undefined;
  }
})();

/** A process's CPU milliseconds so far (user + system), read from /proc; undefined where there is none. */
function cpuMs(pid: number | undefined): number | undefined {
  const ticks = TICKS;
  const stat = pid === undefined || ticks === undefined ? undefined : readProc(`${pid}/stat`);
  if (!stat || ticks === undefined) return undefined;
  // The fields after the command name, which is in parentheses and may itself hold ") ".
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticks;
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

const ms = (value: number) => `${value.toFixed(0)} ms`;

/**
 * Local mode as a developer meets it: `npm start` to `/health` 200 on a fresh and on a warm data folder,
 * then webhook acks while the runs they start build and deploy in the same process: one at a time (each
 * beside a `/health` request of the same moment, whose times are the machine's floor), and a burst of
 * pushes posted `CONCURRENCY` at a time.
 */
async function bench(): Promise<string> {
  const local = new LocalMode(await freePort(), mkdtempSync(join(tmpdir(), 'cot-bench-local-')));
  try {
    const fresh = await local.start();
    await local.stop();
    const warm = await local.start();

    const single = await local.commits(ONE_AT_A_TIME);
    const acks: number[] = [];
    const healths: number[] = [];
    const failures: number[] = [];
    for (const push of single) {
      healths.push(await local.health());
      acks.push(await local.push(push, failures));
    }
    // The burst starts once integration is idle, its last run (the last of these pushes) ended, so that it
    // competes with its own runs only, not with what is left of the ones before: the easier case, since a
    // developer may push a burst while a run is still going. Skipped when a push was not answered 202.
    const integrated = failures.length === 0 ? await local.integrated(single.at(-1)!.commit) : undefined;
    const burst = await local.commits(BURST);
    const burstAcks: number[] = [];
    const burstFailures: number[] = [];
    let next = 0;
    // Where the burst's CPU goes: local mode, its DynamoDB Local, and this process posting the pushes.
    const { server, dynamodb } = local.processes();
    const before = { server: cpuMs(server), dynamodb: cpuMs(dynamodb), client: process.cpuUsage() };
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < burst.length) burstAcks.push(await local.push(burst[next++]!, burstFailures));
      }),
    );
    const spent = { server: cpuMs(server), dynamodb: cpuMs(dynamodb), client: process.cpuUsage(before.client) };
    const perAck = (after: number | undefined, start: number | undefined) => (after === undefined || start === undefined ? undefined : (after - start) / BURST);
    const split = { dynamodb: perAck(spent.dynamodb, before.dynamodb), server: perAck(spent.server, before.server), client: (spent.client.user + spent.client.system) / 1000 / BURST };
    // The cores Node sees (a container's CPU quota is not among what it counts).
    const cores = availableParallelism();
    const cpuSplit = (() => {
      if (split.dynamodb === undefined || split.server === undefined) return '';
      const total = split.dynamodb + split.server + split.client;
      const parts = `DynamoDB Local ${split.dynamodb.toFixed(1)} ms, local mode ${split.server.toFixed(1)} ms, this client ${split.client.toFixed(1)} ms`;
      return `\n    CPU a push: ${parts}; on ${cores} cores at least ${(total / cores).toFixed(1)} ms a push, so ${CONCURRENCY} at a time wait about ${((CONCURRENCY * total) / cores).toFixed(0)} ms each`;
    })();
    const ratio = (ack: number, health: number) => `x${(ack / health).toFixed(1)} /health`;
    const failed = (statuses: number[]) => (statuses.length > 0 ? `; ${statuses.length} not 202 (${[...new Set(statuses)].join(', ')})` : '');
    return [
      `npm start to /health 200: warm data folder ${ms(warm)} (goal <= 5000 ms), fresh ${ms(fresh)}`,
      `  webhook ack one at a time (n=${ONE_AT_A_TIME}): p50 ${ms(percentile(acks, 50))} (${ratio(percentile(acks, 50), percentile(healths, 50))}), p99 ${ms(percentile(acks, 99))} (${ratio(percentile(acks, 99), percentile(healths, 99))}) (goal p99 <= 100 ms); /health p50 ${ms(percentile(healths, 50))}, p99 ${ms(percentile(healths, 99))}${failed(failures)}`,
      `  integration's run of the last of them ${integrated ? `ended ${integrated.state} ${ms(integrated.ms)} after its answer` : failures.length > 0 ? 'not waited for' : 'had not ended within 2 minutes'} (the burst starts then)`,
      `  webhook ack, burst of ${BURST} pushes ${CONCURRENCY} at a time: p50 ${ms(percentile(burstAcks, 50))}, p99 ${ms(percentile(burstAcks, 99))} (goal p99 <= 100 ms)${failed(burstFailures)}${cpuSplit}`,
    ].join('\n');
  } finally {
    await local.stop();
    rmSync(local.dataDir, { recursive: true, force: true });
  }
}

export const localModeBench = { name: 'local mode', run: bench };
