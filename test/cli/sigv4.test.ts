import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fetch } from '../../cli/io';
import { startFakeApi, type FakeApi } from './support/api-server';
import { STATUS } from './support/fixtures';
import { runCot } from './support/run-cot';

const AWS_ENDPOINT = 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod';

let api: FakeApi;
beforeAll(async () => {
  api = await startFakeApi();
});
afterAll(async () => {
  await api.close();
});

/** Sends what the CLI meant for API Gateway to the local server instead, headers untouched. */
const toLocalServer: Fetch = (url, init) => fetch(url.replace(new URL(AWS_ENDPOINT).origin, api.url), init);

describe('requests to API Gateway are signed with SigV4', () => {
  it('adds an execute-api signature for the region of the URL, with the session token', async () => {
    // Prepare
    api.handle(() => ({ status: 200, body: STATUS }));
    // Act
    const run = await runCot(['--endpoint', AWS_ENDPOINT, 'status'], { fetch: toLocalServer });
    // Assess
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const request = api.requests[0];
    expect(request?.url).toBe('/prod/api/status');
    expect(request?.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=test\/\d{8}\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, Signature=[0-9a-f]{64}$/,
    );
    expect(request?.headers['x-amz-security-token']).toBe('test');
  });

  it('signs the body, the query and the stage path: the signature verifies', async () => {
    api.handle(() => ({ status: 202, body: { releaseId: 'rel-1' } }));
    const run = await runCot(['--endpoint', AWS_ENDPOINT, 'release', 'sample-service', 'production', 'v1.4.0'], { fetch: toLocalServer });
    expect(run.code).toBe(0);

    // Re-sign what the server received, as API Gateway would, at the same time with the same credentials.
    const request = api.requests[0];
    const authorization = String(request?.headers.authorization);
    const signedHeaders = /SignedHeaders=([^,]+)/.exec(authorization)?.[1]?.split(';') ?? [];
    const amzDate = String(request?.headers['x-amz-date']);
    const signingDate = new Date(amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
    const headers = Object.fromEntries(
      signedHeaders.map((name) => [name, name === 'host' ? new URL(AWS_ENDPOINT).host : String(request?.headers[name])]),
    );
    const signer = new SignatureV4({ service: 'execute-api', region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test', sessionToken: 'test' }, sha256: Sha256 });
    const expected = await signer.sign(
      { method: 'POST', protocol: 'https:', hostname: new URL(AWS_ENDPOINT).hostname, path: '/prod/api/releases', query: {}, headers, body: JSON.stringify(request?.body) },
      { signingDate },
    );
    expect(authorization).toBe(expected.headers.authorization);
  });

  it('takes the region from AWS_REGION for a custom domain', async () => {
    api.handle(() => ({ status: 200, body: STATUS }));
    const custom = 'https://releases.example.com';
    const run = await runCot(['--endpoint', custom, 'status'], {
      env: { AWS_REGION: 'ap-southeast-2' },
      fetch: (url, init) => fetch(url.replace(custom, api.url), init),
    });
    expect(run.code).toBe(0);
    expect(api.requests[0]?.headers.authorization).toMatch(/\/ap-southeast-2\/execute-api\/aws4_request/);
  });

  it('a custom domain without a region is an input error (2)', async () => {
    const run = await runCot(['--endpoint', 'https://releases.example.com', 'status']);
    expect(run).toMatchObject({ code: 2, stderr: 'cannot tell the AWS region of https://releases.example.com: set AWS_REGION\n' });
  });
});
