/// <reference lib="dom" />
import { idToken, type SignInConfig } from './auth';

/** A refusal of the console API, with its own words (`{ error, message }`). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The console API (`/console/api/*`), signed in when the page came from AWS. */
export class ConsoleApi {
  constructor(
    private readonly base: string,
    private readonly signIn?: SignInConfig,
  ) {}

  get<T>(path: string): Promise<T> {
    return this.send<T>('GET', path);
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.send<T>('POST', path, body);
  }

  private async send<T>(method: string, path: string, body?: unknown, renew = false): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    // The raw ID token, as API Gateway's Cognito authoriser of a REST API reads it.
    if (this.signIn) headers.authorization = await idToken(this.signIn, { renew });
    const response = await fetch(`${this.base}/console/api/${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }), cache: 'no-store' });
    if (response.status === 401 && this.signIn && !renew) return this.send<T>(method, path, body, true);
    const answer = (await response.json().catch(() => ({}))) as { error?: string; message?: string };
    if (!response.ok) throw new ApiError(response.status, answer.error ?? 'error', answer.message ?? `the console API answered ${response.status}`);
    return answer as T;
  }
}

export const path = (...parts: string[]): string => parts.map(encodeURIComponent).join('/');
