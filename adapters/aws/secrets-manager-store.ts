import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { TransientError } from '../../core/errors';
import type { SecretStore } from '../../core/ports';
import { isTransientAwsError } from './aws-errors';

/**
 * Secrets from AWS Secrets Manager, each read once per cold start: a webhook burst costs one
 * GetSecretValue per secret, not one per request. A failed read is not cached, so the next request
 * tries again. A secret rotated by hand reaches a warm Lambda only when its environment is recycled
 * (publish a new version or update the function's configuration to force it).
 */
export class SecretsManagerStore implements SecretStore {
  private readonly cache = new Map<string, Promise<string>>();

  constructor(private readonly client: SecretsManagerClient) {}

  get(name: string): Promise<string> {
    const cached = this.cache.get(name);
    if (cached) return cached;
    // The promise is cached, so concurrent first requests share one call.
    const reading = this.read(name);
    this.cache.set(name, reading);
    reading.catch(() => this.cache.delete(name));
    return reading;
  }

  private async read(name: string): Promise<string> {
    let result;
    try {
      result = await this.client.send(new GetSecretValueCommand({ SecretId: name }));
    } catch (error) {
      if (error instanceof Error && isTransientAwsError(error)) {
        throw new TransientError(`Secrets Manager is busy (${error.name}); try again`, { cause: error });
      }
      throw error;
    }
    const value = result.SecretString ?? (result.SecretBinary ? Buffer.from(result.SecretBinary).toString('utf8') : undefined);
    // The secret's value never appears in a message; its name does.
    if (!value) throw new Error(`secret ${name} has no value`);
    return value;
  }
}
