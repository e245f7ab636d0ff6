import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { BuildspecRunnerOptions } from './buildspec-runner';
import { killProcessGroup } from './command-process';
import type { BuildspecResult, BuildspecRun } from './types';

/**
 * A run as it crosses to the thread (no function; `streamOutput` asks for its lines), or the word to stop:
 * the thread kills what its runs started, then ends.
 */
export type ToThread =
  | { readonly id: number; readonly run: Omit<BuildspecRun, 'onOutput' | 'onProcessGroup'> & { readonly streamOutput: boolean } }
  | { readonly stop: true };

export type FromThread =
  | { readonly id: number; readonly line: string }
  | { readonly id: number; readonly group: number }
  | { readonly id: number; readonly result: BuildspecResult }
  | { readonly id: number; readonly error: { readonly name: string; readonly message: string } };

interface Pending {
  readonly worker: Worker;
  readonly resolve: (result: BuildspecResult) => void;
  readonly reject: (error: Error) => void;
  readonly onOutput?: (line: string) => void;
  /** The process groups the run started: killed if the thread dies under it. */
  readonly groups: number[];
}

/** How long `close()` waits for the thread to stop by itself before terminating it. */
const STOP_GRACE_MS = 5_000;

/** The thread's code, bundled once per process (`workerScript`). */
let bundled: Promise<string> | undefined;

/**
 * The thread's module: buildspec-worker.ts and everything it imports, bundled by esbuild into one ES
 * module, so that the thread starts without a TypeScript loader (tsx would start a loader thread of its
 * own in it: about 0.5 s of CPU per thread, against 0.05 s). Bundled once per process, from the sources
 * as they are then; written under `dir`, named by a digest of its content (earlier ones are removed).
 */
async function workerScript(dir: string): Promise<URL> {
  bundled ??= bundleWorker().catch((error: unknown) => {
    bundled = undefined;
    throw error;
  });
  const code = await bundled;
  const file = join(dir, `buildspec-worker-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`);
  if (!existsSync(file)) {
    await mkdir(dir, { recursive: true });
    // Written whole, then renamed: a thread never starts from half a file.
    const partial = `${file}.${process.pid}.partial`;
    await writeFile(partial, code);
    await rename(partial, file);
    // Those of earlier versions of the sources are of no more use (a thread already started holds its own).
    const name = basename(file);
    for (const other of await readdir(dir)) if (other !== name && /^buildspec-worker-[0-9a-f]+\.mjs$/.test(other)) await rm(join(dir, other), { force: true });
  }
  return pathToFileURL(file);
}

async function bundleWorker(): Promise<string> {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [fileURLToPath(new URL('./buildspec-worker.ts', import.meta.url))],
    bundle: true,
    write: false,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'silent',
    // The CommonJS packages it bundles (yaml) require Node's own modules.
    banner: { js: "import { createRequire as cotCreateRequire } from 'node:module'; const require = cotCreateRequire(import.meta.url);" },
  });
  const [output] = result.outputFiles;
  if (!output) throw new Error('esbuild wrote no bundle for the buildspec runner\'s thread');
  return output.text;
}

/**
 * The buildspec runner on a thread of its own: the same `BuildspecRunner`, so that what a build does
 * synchronously (starting each command's process, which blocks the starting thread until it has
 * started; making, copying and removing its folders) never holds up the thread that answers HTTP
 * requests in local mode (docs/architecture.md#local-mode). One thread serves every run, started on
 * the first; it keeps the process alive only while a run is under way. Should it die (or be closed)
 * under a run, the run fails and the processes it started are killed, as a CodeBuild container's die
 * with it.
 */
export class ThreadedBuildspecRunner {
  private worker?: Worker;
  private starting?: Promise<Worker>;
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  /** Each thread's end. */
  private readonly ended = new WeakMap<Worker, Promise<unknown>>();
  /** How many times `close()` was called: a thread whose start began before the last close is not used. */
  private closes = 0;

  constructor(private readonly options: BuildspecRunnerOptions) {}

  async run(run: BuildspecRun): Promise<BuildspecResult> {
    const worker = await this.thread();
    if (worker !== this.worker) throw new Error('the buildspec runner was closed');
    const id = (this.nextId += 1);
    const { onOutput, onProcessGroup: _told, ...rest } = run;
    return new Promise<BuildspecResult>((resolve, reject) => {
      this.pending.set(id, { worker, resolve, reject, groups: [], ...(onOutput ? { onOutput } : {}) });
      worker.ref();
      const message: ToThread = { id, run: { ...rest, streamOutput: onOutput !== undefined } };
      worker.postMessage(message);
    });
  }

  /**
   * Stops the thread; runs under way fail. The thread is asked to stop, and does so between two of its
   * steps, after killing every command its runs started (with what those left in the background) and
   * their watchers: terminated in the middle of a step, it could leave running a command it had started
   * but not yet told of. A thread still busy after `STOP_GRACE_MS` is terminated all the same.
   */
  async close(): Promise<void> {
    this.closes += 1;
    const starting = this.starting;
    this.starting = undefined;
    this.worker = undefined;
    const worker = await starting?.catch(() => undefined);
    const ended = worker && this.ended.get(worker);
    if (!worker || !ended) return;
    const stop: ToThread = { stop: true };
    worker.postMessage(stop);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([ended, new Promise((done) => (timer = setTimeout(done, STOP_GRACE_MS)))]);
    clearTimeout(timer);
    await worker.terminate();
  }

  private thread(): Promise<Worker> {
    this.starting ??= this.startThread().catch((error: unknown) => {
      this.starting = undefined;
      throw error;
    });
    return this.starting;
  }

  private async startThread(): Promise<Worker> {
    const closes = this.closes;
    const script = await workerScript(join(this.options.workRoot, '.thread'));
    // Closed while the module was being written: a run waiting for this thread must not reach it.
    if (closes !== this.closes) throw new Error('the buildspec runner was closed');
    const worker = new Worker(script, { workerData: this.options, execArgv: [] });
    this.ended.set(worker, new Promise((resolve) => worker.once('exit', resolve)));
    worker.unref();
    worker.on('message', (message: FromThread) => this.receive(message));
    const failAll = (error: Error) => {
      if (this.worker === worker) {
        this.worker = undefined;
        this.starting = undefined;
      }
      for (const [id, pending] of this.pending) {
        if (pending.worker !== worker) continue;
        this.pending.delete(id);
        for (const group of pending.groups) killProcessGroup(group);
        pending.reject(error);
      }
    };
    worker.on('error', failAll);
    worker.on('exit', (code) => failAll(new Error(`the buildspec runner's thread stopped (exit code ${code})`)));
    this.worker = worker;
    return worker;
  }

  private receive(message: FromThread): void {
    const pending = this.pending.get(message.id);
    if (!pending) return;
    if ('line' in message) {
      pending.onOutput?.(message.line);
      return;
    }
    if ('group' in message) {
      pending.groups.push(message.group);
      return;
    }
    this.pending.delete(message.id);
    if (this.pending.size === 0) this.worker?.unref();
    if ('result' in message) pending.resolve(message.result);
    else pending.reject(Object.assign(new Error(message.error.message), { name: message.error.name }));
  }
}
