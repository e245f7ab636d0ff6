import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { sign } from '@octokit/webhooks-methods';
import examples from '@octokit/webhooks-examples';
import { RepositoryConfig } from '../../../core/config';
import type { ReadWebhookInput } from '../../../core/webhooks/read-webhook';

/** Shared test data: configured repositories, their secrets, and signed requests for each provider. */

export const repositories: RepositoryConfig[] = [
  { name: 'hello-world', provider: 'github', url: 'https://github.com/Codertocat/Hello-World' },
  { name: 'octo-hello', provider: 'github', url: 'https://github.com/octocoders/hello-world.git' },
  { name: 'diaspora', provider: 'gitlab', url: 'https://example.com/mike/diaspora' },
  { name: 'payments', provider: 'bitbucket', url: 'https://bitbucket.org/acme/payments-service/' },
].map((repository) => RepositoryConfig.parse(repository));

export const secretOf = (repository: string) => `s3cret-of-${repository}`;
export const secretFor = async (repository: string) => secretOf(repository);

/** Example payloads of one GitHub event, from @octokit/webhooks-examples. */
export function githubExamples(event: string): Record<string, unknown>[] {
  const definition = examples.find((candidate) => candidate.name === event);
  if (!definition) throw new Error(`no GitHub examples for ${event}`);
  return definition.examples as unknown as Record<string, unknown>[];
}

export function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;
}

export function bitbucketSignature(secret: string, body: string | Uint8Array): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export type Request = Omit<ReadWebhookInput, 'repositories' | 'secretFor'>;

export async function githubRequest(event: string, body: string, secret = secretOf('hello-world')): Promise<Request> {
  return {
    provider: 'github',
    headers: {
      'x-github-event': event,
      'x-github-delivery': randomUUID(),
      'x-hub-signature-256': await sign(secret, body),
      'content-type': 'application/json',
    },
    body,
  };
}

export function gitlabRequest(event: string, body: string, token = secretOf('diaspora')): Request {
  return {
    provider: 'gitlab',
    headers: { 'x-gitlab-event': event, 'x-gitlab-event-uuid': randomUUID(), 'x-gitlab-token': token, 'content-type': 'application/json' },
    body,
  };
}

export function bitbucketRequest(event: string, body: string | Buffer, secret = secretOf('payments')): Request {
  return {
    provider: 'bitbucket',
    headers: {
      'x-event-key': event,
      'x-request-uuid': randomUUID(),
      'x-hub-signature': bitbucketSignature(secret, body),
      'content-type': 'application/json',
    },
    body,
  };
}

/** A valid push of each provider, for suites that then break one thing. */
export async function validPushes(): Promise<Array<{ provider: string; request: Request }>> {
  const githubBody = JSON.stringify(githubExamples('push')[4]);
  return [
    { provider: 'github', request: await githubRequest('push', githubBody) },
    { provider: 'gitlab', request: gitlabRequest('Push Hook', JSON.stringify(fixture('gitlab-push.json'))) },
    { provider: 'bitbucket', request: bitbucketRequest('repo:push', JSON.stringify(fixture('bitbucket-push.json'))) },
  ];
}

/** Re-signs a request's body with the right secret of its provider's test repository. */
export function signedLike(request: Request, body: string | Buffer): Request {
  const headers = { ...request.headers };
  // GitHub's sha256 signature is the same HMAC; computed here over bytes, which sign() cannot take.
  if (request.provider === 'github') headers['x-hub-signature-256'] = bitbucketSignature(secretOf('hello-world'), body);
  if (request.provider === 'bitbucket') headers['x-hub-signature'] = bitbucketSignature(secretOf('payments'), body);
  return { ...request, headers, body };
}
