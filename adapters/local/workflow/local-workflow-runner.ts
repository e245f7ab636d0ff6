import './promise-with-resolvers';
import { randomUUID } from 'node:crypto';
import { StateMachine } from 'aws-local-stepfunctions';
import type { RunOptions, StateMachineDefinition } from 'aws-local-stepfunctions';
import { forInterpreter, LOCAL_TIMEOUT_FIELD, planTasks } from './interpreter-definition';
import { LocalExecution } from './local-execution';
import { LOCAL_ACCOUNT_ID, LOCAL_PARTITION, LOCAL_REGION } from './local-aws';
import { createTaskRouter } from './task-integrations';
import { TaskFailure } from './task-failure';
import { TaskTokenRegistry } from './task-token-registry';
import { InvalidDefinitionError, validateDefinition } from './validate-definition';
import type { AslDefinition } from './asl';
import type { ServedTask } from './interpreter-definition';
import type { JsonValue } from './json';
import type { ExecutionResult, WorkflowExecution } from './local-execution';
import type { TaskContext, TaskHandlers } from './task-integrations';
import type { WorkflowEventListener } from './workflow-events';

export interface LocalWorkflowRunnerOptions {
  /** Rendered ASL (see renderDefinition). */
  readonly definition: AslDefinition;
  /** Local handlers; every Task must be served by one of them. */
  readonly handlers: TaskHandlers;
  /** Where `.waitForTaskToken` Tasks wait; share one between runners like one Step Functions API. @default a new registry */
  readonly tokens?: TaskTokenRegistry;
  /** @default `arn:aws:states:us-east-1:000000000000:stateMachine:LocalStateMachine` */
  readonly stateMachineArn?: string;
  /**
   * Validation of the definition with asl-validator 4 before any run (the interpreter's own check, an older
   * asl-validator, is turned off). @default ARNs and paths are checked
   */
  readonly validationOptions?: { readonly noValidate?: boolean; readonly checkArn?: boolean; readonly checkPaths?: boolean };
  /** Milliseconds to wait before retries, by state name, instead of IntervalSeconds/BackoffRate. */
  readonly retryIntervalOverrides?: Readonly<Record<string, number | number[]>>;
  /** Milliseconds a Wait state waits, by state name. */
  readonly waitTimeOverrides?: Readonly<Record<string, number>>;
  /** Receives the events of every execution of this runner. */
  readonly onEvent?: WorkflowEventListener;
  /** Told of every execution that ends, as Step Functions' "Execution Status Change" events tell. */
  readonly onExecutionEnd?: (execution: WorkflowExecution, result: ExecutionResult) => void;
}

export class ExecutionAlreadyExistsError extends Error {
  override readonly name = 'ExecutionAlreadyExists';
}

export class InvalidNameError extends Error {
  override readonly name = 'InvalidName';
}

/** A deadline for the first `.waitForTaskToken` state an execution enters (see `StartOptions.firstWaitDeadline`). */
interface WaitDeadline {
  readonly until: Date;
  /** The state it binds, known once the execution first waits. */
  stateName?: string;
}

export interface StartOptions {
  /** @default a random UUID */
  readonly name?: string;
  /**
   * The first `.waitForTaskToken` state the execution enters waits until then at the latest, however long
   * its own timeout, and fails with `States.Timeout` at once when the time has passed (every entry of that
   * state: a retried Task keeps it; later waits have their own timeouts). Local mode resumes a wait cut
   * off by a restart this way, so that it keeps its original deadline.
   */
  readonly firstWaitDeadline?: Date;
}

/** The `$$.Task.Token` of one execution: the token the next Task entry will get. */
interface TokenSource {
  current: string;
}

type LocalHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;

// Execution names: 1-80 characters, none of whitespace, brackets, wildcards or the ARN separators.
const VALID_NAME = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/]{1,80}$/;

function isValidName(name: string): boolean {
  return VALID_NAME.test(name) && ![...name].some((c) => c.charCodeAt(0) < 0x20 || (c.charCodeAt(0) >= 0x7f && c.charCodeAt(0) <= 0x9f));
}

/**
 * Runs one state machine's ASL on this machine, like Step Functions would: every Task is served by a
 * local handler chosen by its `Resource`, and nothing reaches AWS (a definition with a Task no handler
 * serves is refused up front).
 */
export class LocalWorkflowRunner {
  readonly tokens: TaskTokenRegistry;
  readonly stateMachineArn: string;
  private readonly machine: StateMachine;
  private readonly tasks: ReadonlyMap<string, ServedTask>;
  private readonly executions = new Map<string, LocalExecution>();
  private readonly waitDeadlines = new Map<string, WaitDeadline>();

  constructor(private readonly options: LocalWorkflowRunnerOptions) {
    const { noValidate = false, ...validation } = options.validationOptions ?? {};
    const errors = noValidate ? [] : validateDefinition(options.definition, validation);
    if (errors.length > 0) throw new InvalidDefinitionError(errors);
    this.tasks = planTasks(options.definition, createTaskRouter(options.handlers));
    this.tokens = options.tokens ?? new TaskTokenRegistry();
    this.stateMachineArn =
      options.stateMachineArn ?? `arn:${LOCAL_PARTITION}:states:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:stateMachine:LocalStateMachine`;
    this.machine = new StateMachine(forInterpreter(options.definition) as StateMachineDefinition, {
      validationOptions: { noValidate: true },
    });
  }

  /**
   * Starts an execution. As StartExecution on a Standard workflow: a name already used fails with
   * `ExecutionAlreadyExists`, except while that execution still runs with the very same input, when the
   * call is idempotent and answers the running execution.
   */
  start(input: JsonValue = {}, { name = randomUUID(), firstWaitDeadline }: StartOptions = {}): WorkflowExecution {
    if (!isValidName(name)) throw new InvalidNameError(`Invalid execution name: ${JSON.stringify(name)}`);
    const existing = this.executions.get(name);
    if (existing) {
      if (existing.running && JSON.stringify(existing.input) === JSON.stringify(input)) return existing;
      throw new ExecutionAlreadyExistsError(`Execution already exists: ${existing.executionArn}`);
    }
    const executionArn = this.stateMachineArn.replace(':stateMachine:', ':execution:') + `:${name}`;
    const execution = new LocalExecution(executionArn, name, structuredClone(input), this.options.onEvent, (ended, result) => {
      // Whatever still waits on a token of an ended execution can never be answered.
      this.tokens.closeExecution(ended.executionArn, new TaskFailure('States.Runtime', 'The execution ended'));
      this.waitDeadlines.delete(ended.executionArn);
      this.options.onExecutionEnd?.(ended, result);
    });
    this.executions.set(name, execution);
    if (firstWaitDeadline) this.waitDeadlines.set(executionArn, { until: firstWaitDeadline });
    const token: TokenSource = { current: this.tokens.newToken() };
    execution.attach(
      this.machine.run(input, {
        overrides: {
          taskResourceLocalHandlers: this.localHandlers(execution, token),
          ...(this.options.retryIntervalOverrides && { retryIntervalOverrides: { ...this.options.retryIntervalOverrides } }),
          ...(this.options.waitTimeOverrides && { waitTimeOverrides: { ...this.options.waitTimeOverrides } }),
        },
        context: this.contextObject(execution, token),
      }),
    );
    return execution;
  }

  /** An execution of this runner by name or ARN. */
  describe(nameOrArn: string): WorkflowExecution | undefined {
    return this.executions.get(nameOrArn) ?? [...this.executions.values()].find((e) => e.executionArn === nameOrArn);
  }

  list(): WorkflowExecution[] {
    return [...this.executions.values()];
  }

  /**
   * The context object (`$$`). The interpreter holds one `$$.Task.Token` per run; ours is a getter over a
   * token that rotates each time a Task handler is called (see localHandlers), so each Task entry sees its own.
   */
  private contextObject(execution: LocalExecution, token: TokenSource): { [key: string]: unknown } {
    const stateMachineName = this.stateMachineArn.split(':').at(-1) ?? '';
    return {
      Execution: { Id: execution.executionArn, Name: execution.name, StartTime: execution.startDate.toISOString() },
      StateMachine: { Id: this.stateMachineArn, Name: stateMachineName },
      Task: {
        get Token(): string {
          return token.current;
        },
      },
    };
  }

  /**
   * One interpreter override per Task state. The interpreter evaluates a state's Parameters (reading
   * `$$.Task.Token`) and calls its override in the same synchronous step, with no await in between, so the
   * token current when the override starts is the one its Parameters saw; the override then rotates it.
   * Parallel branches and retries therefore each get a token of their own.
   */
  private localHandlers(execution: LocalExecution, token: TokenSource): LocalHandlers {
    const handlers: LocalHandlers = {};
    for (const [stateName, task] of this.tasks) {
      handlers[stateName] = (params) => {
        const taskToken = token.current;
        token.current = this.tokens.newToken();
        return this.serve(execution, task, withoutLocalFields(params as JsonValue), taskToken) as ReturnType<LocalHandlers[string]>;
      };
    }
    return handlers;
  }

  private async serve(execution: LocalExecution, task: ServedTask, params: JsonValue, token: string): Promise<JsonValue> {
    const { route, state, stateName } = task;
    const resource = state.Resource ?? '';
    const base = { executionArn: execution.executionArn, executionName: execution.name, stateName, resource };
    if (route.pattern !== 'waitForTaskToken') return route.serve(params, base);

    if (!execution.running) throw new TaskFailure('States.Runtime', 'The execution ended');
    const context: TaskContext = { ...base, taskToken: token };
    const timeoutMs = this.waitTimeoutMs(execution, stateName, typeof state.TimeoutSeconds === 'number' ? state.TimeoutSeconds * 1000 : undefined);
    // Open the token before calling the handler: it may answer before it returns.
    const answer = this.tokens.wait(token, base, timeoutMs);
    try {
      await route.serve(params, context);
    } catch (error) {
      this.tokens.close(token, error as Error);
      throw error;
    }
    return answer;
  }

  /**
   * How long the registry keeps a wait open: the state's own timeout (the interpreter raises
   * `States.Timeout` itself; the registry only frees the token a moment later), or, for the execution's
   * first waiting state when it was started with a deadline, the time left until then: the registry's
   * `States.Timeout` then ends the wait, and is caught like the interpreter's.
   */
  private waitTimeoutMs(execution: LocalExecution, stateName: string, stateTimeoutMs: number | undefined): number | undefined {
    const deadline = this.waitDeadlines.get(execution.executionArn);
    if (!deadline) return stateTimeoutMs;
    deadline.stateName ??= stateName;
    if (deadline.stateName !== stateName) return stateTimeoutMs;
    const left = deadline.until.getTime() - Date.now();
    if (left <= 0) throw new TaskFailure('States.Timeout', `Task timed out: its deadline, ${deadline.until.toISOString()}, has passed`);
    return stateTimeoutMs === undefined ? left : Math.min(stateTimeoutMs, left);
  }
}

/** Parameters as the Task's handler must see them: without the fields only the interpreter needs. */
function withoutLocalFields(params: JsonValue): JsonValue {
  if (!params || typeof params !== 'object' || Array.isArray(params) || !(LOCAL_TIMEOUT_FIELD in params)) return params;
  const { [LOCAL_TIMEOUT_FIELD]: _timeout, ...rest } = params;
  return rest;
}
