import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsManagerStore } from '../../adapters/aws/secrets-manager-store';
import type { AwsParts } from '../aws-wiring';

/** Secrets Manager, for the handlers that read a webhook secret or the approval signing key. */
export const secretsManager: NonNullable<AwsParts['secrets']> = () => new SecretsManagerStore(new SecretsManagerClient({}));
