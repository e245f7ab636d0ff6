/**
 * The Amazon States Language, as much of it as the local runner inspects. Everything else passes through
 * untouched to the interpreter.
 */
export interface AslDefinition {
  StartAt: string;
  States: Record<string, AslState>;
  Comment?: string;
  TimeoutSeconds?: number;
  QueryLanguage?: string;
  [field: string]: unknown;
}

export interface AslState {
  Type: string;
  Resource?: string;
  TimeoutSeconds?: number;
  TimeoutSecondsPath?: string;
  HeartbeatSeconds?: number;
  Branches?: AslDefinition[];
  ItemProcessor?: AslDefinition;
  Iterator?: AslDefinition;
  QueryLanguage?: string;
  [field: string]: unknown;
}

export interface StateVisit {
  readonly name: string;
  readonly state: AslState;
  /** Enclosing Parallel/Map states, outermost first. */
  readonly parents: readonly string[];
}

/** Every state of the machine, including those inside Parallel branches and Map processors. */
export function* walkStates(definition: AslDefinition, parents: readonly string[] = []): Generator<StateVisit> {
  for (const [name, state] of Object.entries(definition.States)) {
    yield { name, state, parents };
    const nested = [...(state.Branches ?? []), state.ItemProcessor ?? state.Iterator].filter(
      (child): child is AslDefinition => child !== undefined,
    );
    for (const child of nested) yield* walkStates(child, [...parents, name]);
  }
}
