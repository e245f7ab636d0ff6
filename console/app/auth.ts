/// <reference lib="dom" />
/**
 * Signing in on AWS (docs/console.md#signing-in-aws): the user pool's hosted UI, authorization code with
 * PKCE, no client secret. The ID token (it carries the groups) is kept in this tab's sessionStorage and
 * sent to the console API; local mode has no sign-in.
 */

export interface SignInConfig {
  readonly domain: string;
  readonly clientId: string;
  /** The page's own address, registered as the app client's callback and sign-out URL. */
  readonly redirectUri: string;
}

const KEY = { id: 'cot.idToken', refresh: 'cot.refreshToken', verifier: 'cot.pkceVerifier', state: 'cot.pkceState' } as const;

function base64url(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomString(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

/** Seconds until the token expires (negative once it has). */
function secondsLeft(token: string): number {
  try {
    const payload = JSON.parse(atob((token.split('.')[1] ?? '').replace(/-/g, '+').replace(/_/g, '/'))) as { exp?: number };
    return (payload.exp ?? 0) - Date.now() / 1000;
  } catch {
    return -1;
  }
}

async function tokenRequest(config: SignInConfig, fields: Record<string, string>): Promise<boolean> {
  const response = await fetch(`${config.domain}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: config.clientId, ...fields }),
  });
  if (!response.ok) return false;
  const tokens = (await response.json()) as { id_token?: string; refresh_token?: string };
  if (!tokens.id_token) return false;
  sessionStorage.setItem(KEY.id, tokens.id_token);
  if (tokens.refresh_token) sessionStorage.setItem(KEY.refresh, tokens.refresh_token);
  return true;
}

/** Sends the browser to the hosted UI; it comes back to `redirectUri` with a code. */
async function redirectToSignIn(config: SignInConfig): Promise<never> {
  const verifier = randomString();
  const state = randomString();
  sessionStorage.setItem(KEY.verifier, verifier);
  sessionStorage.setItem(KEY.state, state);
  const challenge = base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: config.redirectUri,
    scope: 'openid email profile',
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  location.assign(`${config.domain}/oauth2/authorize?${query.toString()}`);
  return new Promise<never>(() => {});
}

/** A valid ID token: from this tab, from the code the hosted UI just returned, refreshed, or by signing in. */
export async function idToken(config: SignInConfig, options: { renew?: boolean } = {}): Promise<string> {
  const url = new URL(location.href);
  const code = url.searchParams.get('code');
  if (code) {
    const state = url.searchParams.get('state');
    const verifier = sessionStorage.getItem(KEY.verifier);
    history.replaceState(null, '', url.pathname + url.hash);
    if (verifier && state === sessionStorage.getItem(KEY.state)) {
      await tokenRequest(config, { grant_type: 'authorization_code', code, redirect_uri: config.redirectUri, code_verifier: verifier });
    }
    sessionStorage.removeItem(KEY.verifier);
    sessionStorage.removeItem(KEY.state);
  }
  const current = sessionStorage.getItem(KEY.id);
  if (current && !options.renew && secondsLeft(current) > 60) return current;
  const refresh = sessionStorage.getItem(KEY.refresh);
  if (refresh && (await tokenRequest(config, { grant_type: 'refresh_token', refresh_token: refresh }))) {
    const renewed = sessionStorage.getItem(KEY.id);
    if (renewed) return renewed;
  }
  return redirectToSignIn(config);
}

export function signOut(config: SignInConfig): void {
  for (const key of Object.values(KEY)) sessionStorage.removeItem(key);
  location.assign(`${config.domain}/logout?${new URLSearchParams({ client_id: config.clientId, logout_uri: config.redirectUri }).toString()}`);
}
