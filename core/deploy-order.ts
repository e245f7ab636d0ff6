/**
 * The order a promotion deploys its members in (docs/configuration.md#repositories, `deployAfter`): waves,
 * each wave deployed in parallel, a wave only after every wave before it. A repository comes in the first
 * wave after every repository it names in `deployAfter` (among those promoted together); the ones not in
 * the promotion do not hold it back.
 */

export interface OrderedRepository {
  readonly name: string;
  readonly deployAfter?: readonly string[] | undefined;
}

/** The cycle through `deployAfter`, as names from the first back to itself; undefined when there is none. */
export function deployAfterCycle(repositories: readonly OrderedRepository[]): string[] | undefined {
  const after = new Map(repositories.map((repository) => [repository.name, repository.deployAfter ?? []]));
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === 'done') return undefined;
    if (state.get(name) === 'visiting') return [...path.slice(path.indexOf(name)), name];
    state.set(name, 'visiting');
    path.push(name);
    for (const next of after.get(name) ?? []) {
      const cycle = after.has(next) ? visit(next) : undefined;
      if (cycle) return cycle;
    }
    path.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const repository of repositories) {
    const cycle = visit(repository.name);
    if (cycle) return cycle;
  }
  return undefined;
}

/**
 * Groups `names` (the members of one promotion) into waves by the config's `deployAfter`; within a wave
 * names keep the order of `repositories`. The config is free of cycles (checked at load).
 */
export function deployWaves(repositories: readonly OrderedRepository[], names: readonly string[]): string[][] {
  const members = new Set(names);
  const ordered = repositories.filter((repository) => members.has(repository.name));
  const wave = new Map<string, number>();
  const waveOf = (repository: OrderedRepository): number => {
    const known = wave.get(repository.name);
    if (known !== undefined) return known;
    const before = (repository.deployAfter ?? []).filter((name) => members.has(name));
    const value = before.length === 0 ? 0 : 1 + Math.max(...before.map((name) => waveOf(ordered.find((candidate) => candidate.name === name) ?? { name })));
    wave.set(repository.name, value);
    return value;
  };
  const waves: string[][] = [];
  for (const repository of ordered) (waves[waveOf(repository)] ??= []).push(repository.name);
  return waves.filter((names) => names.length > 0);
}
