import { walkStates } from './asl';
import type { AslDefinition, AslState } from './asl';
import type { TaskRoute } from './task-integrations';

/**
 * Node's timers overflow past 2^31-1 ms (about 24.8 days) and then fire after 1 ms. The interpreter turns
 * every TimeoutSeconds into a timer, and gives a Task without one only 60 s (on AWS: no limit), which
 * would fail every approval that waits longer. So each Task gets the longest timer Node can hold.
 */
export const MAX_TIMEOUT_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

export interface ServedTask {
  readonly stateName: string;
  readonly state: AslState;
  readonly route: TaskRoute;
}

export class UnservedTaskError extends Error {
  override readonly name = 'UnservedTaskError';
  constructor(readonly tasks: readonly { readonly stateName: string; readonly resource: string }[]) {
    super(
      `No local handler serves these Task states, and running them would call AWS:\n` +
        tasks.map((task) => `  - ${task.stateName}: ${task.resource}`).join('\n'),
    );
  }
}

export class UnsupportedDefinitionError extends Error {
  override readonly name = 'UnsupportedDefinitionError';
}

/**
 * Every Task of the machine (Parallel branches and Map processors included) with its local route.
 * Refuses before any run: a Task without a handler, JSONata (the interpreter ignores it silently), and
 * duplicate state names (the interpreter's overrides are keyed by state name).
 */
export function planTasks(definition: AslDefinition, route: (resource: string) => TaskRoute | undefined): Map<string, ServedTask> {
  const served = new Map<string, ServedTask>();
  const unserved: { stateName: string; resource: string }[] = [];
  const seen = new Set<string>();
  if (definition.QueryLanguage === 'JSONata') throw new UnsupportedDefinitionError('JSONata state machines are not supported locally: use JSONPath');
  for (const { name, state } of walkStates(definition)) {
    if (seen.has(name)) throw new UnsupportedDefinitionError(`State name ${name} is used more than once`);
    seen.add(name);
    if (state.QueryLanguage === 'JSONata') throw new UnsupportedDefinitionError(`State ${name} uses JSONata: use JSONPath`);
    if (state.Type !== 'Task') continue;
    const resource = state.Resource ?? '';
    const taskRoute = route(resource);
    if (taskRoute) served.set(name, { stateName: name, state, route: taskRoute });
    else unserved.push({ stateName: name, resource });
  }
  if (unserved.length > 0) throw new UnservedTaskError(unserved);
  return served;
}

/**
 * A Parameters field the interpreter reads a Task's `TimeoutSecondsPath` from. Step Functions resolves
 * that path against the state input; aws-local-stepfunctions 3.0.0 resolves it against the input after
 * `Parameters`. So the path's value is copied into the Parameters under this name and the path pointed at
 * it; the runner removes the field before the Task's handler sees its parameters.
 */
export const LOCAL_TIMEOUT_FIELD = '__localTimeoutSeconds';

/** A copy of the definition whose timeouts the interpreter's timers can hold (see MAX_TIMEOUT_SECONDS). */
export function forInterpreter(definition: AslDefinition): AslDefinition {
  const copy = structuredClone(definition);
  if (copy.TimeoutSeconds !== undefined) copy.TimeoutSeconds = Math.min(copy.TimeoutSeconds, MAX_TIMEOUT_SECONDS);
  for (const { state } of walkStates(copy)) {
    if (state.Type !== 'Task') continue;
    if (state.TimeoutSecondsPath !== undefined && state.Parameters && typeof state.Parameters === 'object' && !Array.isArray(state.Parameters)) {
      (state.Parameters as Record<string, unknown>)[`${LOCAL_TIMEOUT_FIELD}.$`] = state.TimeoutSecondsPath;
      state.TimeoutSecondsPath = `$.${LOCAL_TIMEOUT_FIELD}`;
    }
    if (state.TimeoutSeconds === undefined && state.TimeoutSecondsPath === undefined) state.TimeoutSeconds = MAX_TIMEOUT_SECONDS;
    else if (state.TimeoutSeconds !== undefined) state.TimeoutSeconds = Math.min(state.TimeoutSeconds, MAX_TIMEOUT_SECONDS);
  }
  return copy;
}
