import type { APIGatewayProxyEvent } from 'aws-lambda';
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import type { ConsoleUser } from '../core/console-access';
import { lowerCaseHeaders } from './http';

/** Who sent a console API request, or `undefined` when nobody proved who they are. */
export type ConsoleAuthenticator = (event: APIGatewayProxyEvent) => Promise<ConsoleUser | undefined>;

/** How the page signs people in: nothing to do (local mode), or the user pool's hosted UI. */
export type ConsoleSignIn =
  | { readonly kind: 'local' }
  | {
      readonly kind: 'cognito';
      /** `https://<prefix>.auth.<region>.amazoncognito.com`: the hosted UI and its token endpoint. */
      readonly domainUrl: string;
      readonly clientId: string;
    };

/** The claims of a Cognito ID token that the console reads. */
export interface IdTokenClaims {
  readonly 'cognito:username'?: unknown;
  readonly 'cognito:groups'?: unknown;
  readonly email?: unknown;
  readonly email_verified?: unknown;
}

/** Checks a token's signature, issuer, audience, use and expiry (aws-jwt-verify's `CognitoJwtVerifier`). */
export interface IdTokenVerifier {
  verify(token: string): Promise<IdTokenClaims>;
}

/**
 * The stack's verifier: ID tokens of the stack's pool, of any of its app clients (it has one, and the
 * groups, not the client, give the rights; the function's environment has room for the pool's id only).
 */
export function stackIdTokenVerifier(userPoolId: string) {
  return CognitoJwtVerifier.create({ userPoolId, tokenUse: 'id', clientId: null });
}

/**
 * On AWS: the ID token of the user pool, verified here even though API Gateway's Cognito authoriser
 * checked it already, so the handler never acts on claims it did not verify (a misrouted or test
 * invocation carries none). The person is named by their email, as approvers are in the config.
 */
export function cognitoAuthenticator(verifier: IdTokenVerifier): ConsoleAuthenticator {
  return async (event) => {
    const header = lowerCaseHeaders(event.headers).authorization ?? '';
    const token = header.replace(/^Bearer\s+/i, '').trim();
    if (token === '') return undefined;
    let claims: IdTokenClaims;
    try {
      claims = await verifier.verify(token);
    } catch {
      return undefined;
    }
    const username = typeof claims['cognito:username'] === 'string' ? claims['cognito:username'] : undefined;
    const email = typeof claims.email === 'string' ? claims.email : undefined;
    const verified = claims.email_verified === true || claims.email_verified === 'true';
    const verifiedEmail = email && verified ? email : undefined;
    // Recorded under an address Cognito verified, else the pool's own username: never an email the
    // person typed and nobody checked.
    const identity = verifiedEmail ?? username;
    if (!identity) return undefined;
    const groups = Array.isArray(claims['cognito:groups']) ? claims['cognito:groups'].filter((group): group is string => typeof group === 'string') : [];
    return { identity, groups, ...(verifiedEmail ? { verifiedEmail } : {}) };
  };
}

/**
 * Local mode: loopback, no sign-in. The local HTTP server names the local user as the caller of
 * `/console/api/*` (as of `/api/*`), and refuses requests from other pages' origins.
 */
export function localAuthenticator(): ConsoleAuthenticator {
  return async (event) => {
    const identity = event.requestContext?.identity?.userArn;
    return identity ? { identity, groups: [], local: true } : undefined;
  };
}
