import { GetSecretValueCommand, InternalServiceError, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { SecretsManagerStore } from '../../../adapters/aws/secrets-manager-store';
import { TransientError } from '../../../core/errors';

describe('SecretsManagerStore', () => {
  const secrets = mockClient(SecretsManagerClient);
  beforeEach(() => secrets.reset());
  const store = () => new SecretsManagerStore(new SecretsManagerClient({}));

  it('reads a secret once for two gets, including two at once', async () => {
    // Prepare
    secrets.on(GetSecretValueCommand, { SecretId: 'acme/webhook/a' }).resolves({ SecretString: 'value-a' });
    const subject = store();

    // Act
    const values = await Promise.all([subject.get('acme/webhook/a'), subject.get('acme/webhook/a')]);
    const later = await subject.get('acme/webhook/a');

    // Assess
    expect([...values, later]).toEqual(['value-a', 'value-a', 'value-a']);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('keeps secrets apart by name', async () => {
    // Prepare
    secrets.on(GetSecretValueCommand, { SecretId: 'a' }).resolves({ SecretString: '1' }).on(GetSecretValueCommand, { SecretId: 'b' }).resolves({ SecretString: '2' });
    const subject = store();

    // Act
    const values = [await subject.get('a'), await subject.get('b')];

    // Assess
    expect(values).toEqual(['1', '2']);
  });

  it('does not cache a failure: the next get tries again', async () => {
    // Prepare
    secrets
      .on(GetSecretValueCommand)
      .rejectsOnce(new InternalServiceError({ message: 'boom', $metadata: {} }))
      .resolves({ SecretString: 'value' });
    const subject = store();

    // Act
    const first = subject.get('a');
    await expect(first).rejects.toBeInstanceOf(TransientError);
    const second = await subject.get('a');

    // Assess
    expect(second).toBe('value');
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('refuses a missing or empty secret without retrying it as transient', async () => {
    // Prepare
    secrets.on(GetSecretValueCommand, { SecretId: 'missing' }).rejects(new ResourceNotFoundException({ message: 'not found', $metadata: {} }));
    secrets.on(GetSecretValueCommand, { SecretId: 'empty' }).resolves({ SecretString: '' });
    const subject = store();

    // Act
    const [missing, empty] = await Promise.allSettled([subject.get('missing'), subject.get('empty')]);

    // Assess
    expect(missing).toMatchObject({ status: 'rejected', reason: { name: 'ResourceNotFoundException' } });
    expect(empty).toMatchObject({ status: 'rejected', reason: { message: 'secret empty has no value' } });
  });
});
