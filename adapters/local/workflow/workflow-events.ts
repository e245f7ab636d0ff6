import type { StateMachine } from 'aws-local-stepfunctions';
import type { JsonValue } from './json';

/** One event of the interpreter's log, as its `eventLogs` generator yields it. */
export type InterpreterEvent = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

export type WorkflowEventType = InterpreterEvent['type'];

/**
 * A flat progress event of one execution, for printing what happens as it happens. Events of Parallel
 * branches and Map iterations carry the enclosing state in `parentState`.
 */
export interface WorkflowEvent {
  readonly type: WorkflowEventType;
  readonly timestamp: number;
  readonly executionArn: string;
  readonly stateName?: string;
  readonly stateType?: string;
  readonly input?: JsonValue;
  readonly output?: JsonValue;
  readonly error?: string;
  readonly cause?: unknown;
  /** For `StateRetried`: how many retries of that retrier this is (1 for the first). */
  readonly retryAttempt?: number;
  readonly parentState?: string;
  /** Map iteration index. */
  readonly index?: number;
}

export type WorkflowEventListener = (event: WorkflowEvent) => void;

export function toWorkflowEvent(executionArn: string, event: InterpreterEvent): WorkflowEvent {
  const out: { -readonly [K in keyof WorkflowEvent]: WorkflowEvent[K] } = { type: event.type, timestamp: event.timestamp, executionArn };
  if ('state' in event) {
    out.stateName = event.state.name;
    out.stateType = event.state.type;
    out.input = event.state.input as JsonValue;
    if (event.state.output !== undefined) out.output = event.state.output as JsonValue;
  }
  if ('input' in event) out.input = event.input as JsonValue;
  if ('output' in event) out.output = event.output as JsonValue;
  if ('Error' in event) {
    out.error = event.Error;
    out.cause = event.Cause;
  }
  if ('retry' in event) out.retryAttempt = event.retry.attempt;
  if ('parentState' in event) out.parentState = event.parentState.name;
  if ('index' in event && event.index !== undefined) out.index = event.index;
  return out;
}
