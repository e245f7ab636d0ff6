import type { ApprovalEnvironmentConfig, ContinuousEnvironmentConfig, EnvironmentConfig, ReleaseConfig } from './config';
import { parseDuration } from './duration';
import { NotFoundError } from './errors';

/**
 * The ordered chain of environments: a commit accepted in one may be released into the next one up.
 * Built from a validated config, so the first environment is continuous and approval ones follow.
 */
export class EnvironmentChain {
  constructor(private readonly config: ReleaseConfig) {}

  get names(): string[] {
    return this.config.environments.map((env) => env.name);
  }

  get(name: string): EnvironmentConfig {
    const env = this.config.environments.find((candidate) => candidate.name === name);
    if (!env) throw new NotFoundError(`unknown environment "${name}"; configured: ${this.names.join(', ')}`);
    return env;
  }

  approval(name: string): ApprovalEnvironmentConfig {
    const env = this.get(name);
    if (env.mode !== 'approval') {
      throw new NotFoundError(`environment "${name}" is continuous: every push of ${env.branch} goes there, it takes no releases`);
    }
    return env;
  }

  /** The environment directly below, whose acceptance a release into `name` needs; undefined for the first. */
  below(name: string): EnvironmentConfig | undefined {
    const index = this.names.indexOf(this.get(name).name);
    return index > 0 ? this.config.environments[index - 1] : undefined;
  }

  above(name: string): EnvironmentConfig | undefined {
    const index = this.names.indexOf(this.get(name).name);
    return this.config.environments[index + 1];
  }

  /** The continuous environment that tracks `branch`, if any. */
  continuousFor(branch: string): ContinuousEnvironmentConfig | undefined {
    return this.config.environments.find(
      (env): env is ContinuousEnvironmentConfig => env.mode === 'continuous' && env.branch === branch,
    );
  }

  get continuous(): ContinuousEnvironmentConfig[] {
    return this.config.environments.filter((env): env is ContinuousEnvironmentConfig => env.mode === 'continuous');
  }

  approvalTimeoutSeconds(name: string): number {
    return parseDuration(this.approval(name).approvalTimeout);
  }
}
