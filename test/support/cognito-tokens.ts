import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { stackIdTokenVerifier } from '../../lambdas/console-auth';

export const USER_POOL_ID = 'us-east-1_TestPool01';
export const CLIENT_ID = 'consoletestclient0000000001';
const ISSUER = `https://cognito-idp.us-east-1.amazonaws.com/${USER_POOL_ID}`;
const KID = 'test-key-1';

/**
 * A user pool's signing keys made by the test: an RSA key pair whose public half is loaded into the
 * stack's own verifier (aws-jwt-verify's `CognitoJwtVerifier`, its JWKS cache, so nothing is fetched),
 * and ID tokens signed as Cognito signs them.
 */
export function testUserPool() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const verifier = stackIdTokenVerifier(USER_POOL_ID);
  verifier.cacheJwks({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid: KID, alg: 'RS256', use: 'sig' }] as never });

  /** An ID token for `username` in `groups`; `overrides` change or add claims (an expiry, another audience). */
  function idToken(username: string, groups: string[], overrides: Record<string, unknown> = {}, key: KeyObject = privateKey): string {
    const now = Math.floor(Date.now() / 1000);
    const payload = {
      sub: `sub-${username}`,
      iss: ISSUER,
      aud: CLIENT_ID,
      token_use: 'id',
      auth_time: now,
      iat: now,
      exp: now + 3600,
      'cognito:username': username,
      ...(groups.length > 0 ? { 'cognito:groups': groups } : {}),
      email: `${username}@example.com`,
      email_verified: true,
      ...overrides,
    };
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const unsigned = `${encode({ alg: 'RS256', kid: KID, typ: 'JWT' })}.${encode(payload)}`;
    return `${unsigned}.${sign('sha256', Buffer.from(unsigned), key).toString('base64url')}`;
  }

  /** A key the pool never published: a token it signs has a valid shape and a forged signature. */
  const strangerKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  return { verifier, idToken, strangerKey };
}
