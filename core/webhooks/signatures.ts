import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { verify as octokitVerify } from '@octokit/webhooks-methods';

/**
 * Signature checks. Every comparison of a secret-derived value is constant time; none of them throws
 * on anything a client sent. An empty secret is our misconfiguration, never a pass: it throws.
 */

export type SignatureHeader = { ok: true; algorithm: 'sha256'; hex: string } | { ok: false; message: string };

/** Reads `sha256=<64 hex>` (GitHub `X-Hub-Signature-256`, Bitbucket `X-Hub-Signature`). */
export function parseSignatureHeader(header: string): SignatureHeader {
  const separator = header.indexOf('=');
  const algorithm = separator > 0 ? header.slice(0, separator).toLowerCase() : '';
  const hex = separator > 0 ? header.slice(separator + 1) : '';
  if (algorithm === 'sha1') return { ok: false, message: 'sha1 signatures are refused: sign with sha256 (sha256=<hex>)' };
  if (algorithm !== 'sha256') return { ok: false, message: 'the signature must look like sha256=<hex>' };
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) return { ok: false, message: 'the signature must be 64 hexadecimal digits after sha256=' };
  return { ok: true, algorithm, hex };
}

/**
 * GitHub: `@octokit/webhooks-methods` verify, which compares in constant time. `body` must be the
 * exact text of the raw bytes (strictly decoded UTF-8), so its HMAC is the HMAC of those bytes.
 */
export async function verifyGithubSignature(secret: string, body: string, header: string): Promise<boolean> {
  assertSecret(secret);
  const parsed = parseSignatureHeader(header);
  if (!parsed.ok || body.length === 0) return false;
  try {
    // The header as sent: octokit's answer, exactly (it is case-sensitive, as GitHub's lower-case hex is).
    return await octokitVerify(secret, body, header);
  } catch {
    // Its arguments are checked above; should it refuse one anyway, the answer is "not verified".
    return false;
  }
}

/** Bitbucket: HMAC-SHA256 of the raw bytes, compared as bytes (equal lengths: both are 32). */
export function verifyHmacSha256(secret: string, body: Uint8Array, hex: string): boolean {
  assertSecret(secret);
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) return false;
  const expected = createHmac('sha256', secret).update(body).digest();
  return timingSafeEqual(expected, Buffer.from(hex, 'hex'));
}

/**
 * GitLab: `X-Gitlab-Token` is the secret itself. Comparing SHA-256 digests gives equal lengths, so
 * neither the content nor the length of the secret leaks through timing.
 */
export function verifySharedToken(secret: string, token: string): boolean {
  assertSecret(secret);
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(secret), digest(token));
}

function assertSecret(secret: string): void {
  // With an empty key anyone can compute the HMAC; refusing loudly beats accepting forgeries.
  if (typeof secret !== 'string' || secret.length === 0) throw new Error('the webhook secret of this repository is empty');
}
