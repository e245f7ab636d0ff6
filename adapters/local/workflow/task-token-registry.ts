import { randomBytes } from 'node:crypto';
import { TaskFailure } from './task-failure';
import type { JsonValue } from './json';

/**
 * The callback half of the Step Functions API (`SendTaskSuccess` / `SendTaskFailure` / `SendTaskHeartbeat`),
 * with the same arguments: the approval code talks to this port on AWS and locally alike.
 */
export interface TaskCallbackPort {
  sendTaskSuccess(taskToken: string, output: string): Promise<void>;
  sendTaskFailure(taskToken: string, error?: string, cause?: string): Promise<void>;
  sendTaskHeartbeat(taskToken: string): Promise<void>;
}

/** Errors named as the SDK's exceptions, so callers handle both worlds with one `switch (error.name)`. */
export type TaskTokenErrorName = 'InvalidToken' | 'TaskDoesNotExist' | 'TaskTimedOut' | 'InvalidOutput';

export class TaskTokenError extends Error {
  constructor(
    override readonly name: TaskTokenErrorName,
    message: string,
  ) {
    super(message);
  }
}

export interface PendingTask {
  readonly taskToken: string;
  readonly executionArn: string;
  readonly stateName: string;
  readonly resource: string;
  /** ISO time the task started waiting. */
  readonly since: string;
}

interface Waiter {
  readonly task: PendingTask;
  readonly resolve: (output: JsonValue) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout | undefined;
}

/**
 * In-memory task tokens for `.waitForTaskToken` states. A token is open from `wait()` until it is answered,
 * its Task times out, or its execution ends; afterwards sending to it fails with `TaskTimedOut`, as on AWS.
 */
export class TaskTokenRegistry implements TaskCallbackPort {
  private readonly waiting = new Map<string, Waiter>();
  private readonly closed = new Set<string>();

  /** An opaque, unguessable token (it ends up in approval links). */
  newToken(): string {
    return `local-${randomBytes(24).toString('base64url')}`;
  }

  /**
   * Opens `token` and returns what the Task will output. `timeoutMs` only frees the token: the interpreter
   * raises `States.Timeout` itself, so the registry's timer fires a little after it.
   */
  wait(token: string, task: Omit<PendingTask, 'taskToken' | 'since'>, timeoutMs?: number): Promise<JsonValue> {
    if (this.waiting.has(token) || this.closed.has(token)) throw new Error(`Task token reused: ${token}`);
    const pending: PendingTask = { ...task, taskToken: token, since: new Date().toISOString() };
    const promise = new Promise<JsonValue>((resolve, reject) => {
      const timer =
        timeoutMs === undefined ? undefined : setTimeout(() => this.close(token, new TaskFailure('States.Timeout', 'Task timed out')), timeoutMs + 50);
      timer?.unref();
      this.waiting.set(token, { task: pending, resolve, reject, timer });
    });
    // Whoever awaits this may attach late (the Task handler is still running): never an unhandled rejection.
    promise.catch(() => undefined);
    return promise;
  }

  async sendTaskSuccess(taskToken: string, output: string): Promise<void> {
    const waiter = this.open(taskToken);
    let parsed: JsonValue;
    try {
      parsed = JSON.parse(output) as JsonValue;
    } catch {
      throw new TaskTokenError('InvalidOutput', 'Output is not valid JSON');
    }
    this.forget(taskToken, waiter);
    waiter.resolve(parsed);
  }

  /** Fails the Task with `error` (matched by Retry/Catch) and `cause`. */
  async sendTaskFailure(taskToken: string, error?: string, cause?: string): Promise<void> {
    const waiter = this.open(taskToken);
    this.forget(taskToken, waiter);
    waiter.reject(new TaskFailure(error || 'States.TaskFailed', cause ?? ''));
  }

  /** Local tasks have no heartbeat timeout: this only checks that the token is open. */
  async sendTaskHeartbeat(taskToken: string): Promise<void> {
    this.open(taskToken);
  }

  /** Tokens waiting for an answer, oldest first. */
  pending(filter: { executionArn?: string } = {}): PendingTask[] {
    return [...this.waiting.values()]
      .map((waiter) => waiter.task)
      .filter((task) => filter.executionArn === undefined || task.executionArn === filter.executionArn);
  }

  /** Ends a wait without an answer (the Task timed out, failed, or its execution ended). */
  close(taskToken: string, reason: Error): void {
    const waiter = this.waiting.get(taskToken);
    if (!waiter) return;
    this.forget(taskToken, waiter);
    waiter.reject(reason);
  }

  closeExecution(executionArn: string, reason: Error): void {
    for (const task of this.pending({ executionArn })) this.close(task.taskToken, reason);
  }

  private open(taskToken: string): Waiter {
    const waiter = this.waiting.get(taskToken);
    if (waiter) return waiter;
    if (this.closed.has(taskToken)) throw new TaskTokenError('TaskTimedOut', 'Task Timed Out: Provided task does not exist anymore');
    throw new TaskTokenError('InvalidToken', 'Invalid Token');
  }

  private forget(taskToken: string, waiter: Waiter): void {
    clearTimeout(waiter.timer);
    this.waiting.delete(taskToken);
    this.closed.add(taskToken);
  }
}
