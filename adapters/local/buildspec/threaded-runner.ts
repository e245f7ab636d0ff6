import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { BuildspecRunnerOptions } from './buildspec-runner';
import { killProcessGroup } from './command-process';
import type { BuildspecResult, BuildspecRun } from './types';

/** A run as it crosses to the thread: no function; `streamOutput` asks for its lines. */
export interface ToThread {
  readonly id: number;
  readonly run: Omit<BuildspecRun, 'onOutput' | 'onProcessGroup'> & { readonly streamOutput: boolean };
}

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
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly options: BuildspecRunnerOptions) {}

  run(run: BuildspecRun): Promise<BuildspecResult> {
    const worker = this.thread();
    const id = (this.nextId += 1);
    const { onOutput, onProcessGroup: _told, ...rest } = run;
    return new Promise<BuildspecResult>((resolve, reject) => {
      this.pending.set(id, { worker, resolve, reject, groups: [], ...(onOutput ? { onOutput } : {}) });
      worker.ref();
      const message: ToThread = { id, run: { ...rest, streamOutput: onOutput !== undefined } };
      worker.postMessage(message);
    });
  }

  /** Stops the thread; runs under way fail. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    // The thread loads our TypeScript with tsx, whatever runs this one (tsx, vitest, node): tsx registers
    // its loader in the thread first, then the thread's module is imported through it.
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
    const entry = new URL('./buildspec-worker.ts', import.meta.url).href;
    const boot = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); });`;
    const worker = new Worker(boot, { eval: true, workerData: this.options, execArgv: [] });
    worker.unref();
    worker.on('message', (message: FromThread) => this.receive(message));
    const failAll = (error: Error) => {
      if (this.worker === worker) this.worker = undefined;
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
