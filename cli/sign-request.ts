import type { SignatureV4 } from '@smithy/signature-v4';
import { CliError, EXIT } from './exit-codes';

export interface UnsignedRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

/** Returns the headers to send: the given ones plus the signature's. */
export type RequestSigner = (request: UnsignedRequest) => Promise<Record<string, string>>;

/**
 * Local mode listens on loopback only and its `/api/*` routes take no signature; anything else is API
 * Gateway with IAM authorisation.
 */
export function isLoopback(url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

const EXECUTE_API_HOST = /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/;

/** The region of an `*.execute-api.<region>.amazonaws.com` URL, else the one the environment names. */
export function signingRegion(url: URL, env: Readonly<Record<string, string | undefined>>): string {
  const region = EXECUTE_API_HOST.exec(url.hostname)?.[1] ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) throw new CliError(`cannot tell the AWS region of ${url.origin}: set AWS_REGION`, EXIT.usage);
  return region;
}

/** SigV4 for API Gateway (`execute-api`) with the caller's credentials from the default provider chain. */
export function sigV4Signer(region: string): RequestSigner {
  let signer: SignatureV4 | undefined;
  return async (request) => {
    if (!signer) {
      // Imported on first use: the signer and the credential providers are heavy, and local mode never signs.
      const [{ fromNodeProviderChain }, { SignatureV4 }, { Sha256 }] = await Promise.all([import('@aws-sdk/credential-providers'), import('@smithy/signature-v4'), import('@aws-crypto/sha256-js')]);
      signer = new SignatureV4({ service: 'execute-api', region, credentials: fromNodeProviderChain(), sha256: Sha256 });
    }
    const { url } = request;
    let signed;
    try {
      signed = await signer.sign({
        method: request.method,
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port ? Number(url.port) : undefined,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: { ...request.headers, host: url.host },
        body: request.body,
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new CliError(`cannot sign the request to ${url.origin} with your AWS credentials: ${reason}`, EXIT.usage, { cause: error });
    }
    // fetch sets `host` itself, from the URL that was signed.
    const { host: _host, ...headers } = signed.headers;
    return headers;
  };
}
