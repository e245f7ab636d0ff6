import { ExecutionAbortedError, ExecutionError, ExecutionTimeoutError } from 'aws-local-stepfunctions';
import { toWorkflowEvent } from './workflow-events';
import type { InterpreterEvent, WorkflowEvent, WorkflowEventListener } from './workflow-events';
import type { JsonValue } from './json';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** How an execution ended, as DescribeExecution reports it. */
export type ExecutionResult =
  | { readonly status: 'SUCCEEDED'; readonly output: JsonValue }
  | { readonly status: 'FAILED' | 'TIMED_OUT' | 'ABORTED'; readonly error: string; readonly cause: string };

export interface WorkflowExecution {
  readonly executionArn: string;
  readonly name: string;
  readonly input: JsonValue;
  readonly startDate: Date;
  readonly status: ExecutionStatus;
  /** Settles once the execution ends and every event has been delivered; never rejects. */
  readonly result: Promise<ExecutionResult>;
  /** Every event so far, in order. */
  readonly history: readonly WorkflowEvent[];
  /** Listens to the events from now on; returns the unsubscribe function. */
  subscribe(listener: WorkflowEventListener): () => void;
  abort(): void;
}

export interface InterpreterRun {
  readonly abort: () => void;
  readonly result: Promise<unknown>;
  readonly eventLogs: AsyncGenerator<InterpreterEvent>;
}

/** One run of the interpreter, seen as a Step Functions execution. */
export class LocalExecution implements WorkflowExecution {
  readonly startDate = new Date();
  readonly result: Promise<ExecutionResult>;
  private readonly settle: (result: ExecutionResult) => void;
  private currentStatus: ExecutionStatus = 'RUNNING';
  private readonly events: WorkflowEvent[] = [];
  private readonly listeners = new Set<WorkflowEventListener>();
  private abortRun: () => void = () => undefined;

  constructor(
    readonly executionArn: string,
    readonly name: string,
    readonly input: JsonValue,
    runnerListener: WorkflowEventListener | undefined,
    private readonly onEnd: (execution: LocalExecution, result: ExecutionResult) => void,
  ) {
    if (runnerListener) this.listeners.add(runnerListener);
    let settle: (result: ExecutionResult) => void = () => undefined;
    this.result = new Promise((resolve) => (settle = resolve));
    this.settle = settle;
  }

  get status(): ExecutionStatus {
    return this.currentStatus;
  }

  get history(): readonly WorkflowEvent[] {
    return this.events;
  }

  get running(): boolean {
    return this.currentStatus === 'RUNNING';
  }

  subscribe(listener: WorkflowEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  abort(): void {
    this.abortRun();
  }

  /** Attaches the interpreter's run; called once, right after the run started. */
  attach(run: InterpreterRun): void {
    this.abortRun = run.abort;
    const delivered = this.pump(run.eventLogs);
    void run.result.then(
      (output) => ({ status: 'SUCCEEDED', output: output as JsonValue }) as const,
      (error: unknown) => toFailure(error),
    ).then(async (result) => {
      this.currentStatus = result.status;
      this.onEnd(this, result);
      await delivered;
      this.settle(result);
    });
  }

  private async pump(eventLogs: AsyncGenerator<InterpreterEvent>): Promise<void> {
    for await (const raw of eventLogs) {
      const event = toWorkflowEvent(this.executionArn, raw);
      this.events.push(event);
      for (const listener of this.listeners) {
        try {
          listener(event);
        } catch {
          // A progress printer that throws must not break the execution it reports on.
        }
      }
    }
  }
}

function toFailure(error: unknown): ExecutionResult {
  if (error instanceof ExecutionTimeoutError) return { status: 'TIMED_OUT', error: 'States.Timeout', cause: 'The execution timed out' };
  if (error instanceof ExecutionAbortedError) return { status: 'ABORTED', error: 'States.Aborted', cause: 'The execution was aborted' };
  // The interpreter wraps the state's error; its name is the Error code and its message the Cause.
  const failure = error instanceof ExecutionError && error.cause instanceof Error ? error.cause : error;
  if (failure instanceof Error) return { status: 'FAILED', error: failure.name, cause: failure.message };
  return { status: 'FAILED', error: 'States.Runtime', cause: String(failure) };
}
