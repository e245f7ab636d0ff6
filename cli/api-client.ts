import { CliError, EXIT } from './exit-codes';
import type { Fetch } from './io';
import { isLoopback, type RequestSigner } from './sign-request';

/** How long one request may take before the CLI gives up on it. */
const REQUEST_TIMEOUT_MS = 30_000;

/** The API refused or failed a request; 4xx is the caller's input (exit 2), anything else exit 1. */
export class ApiError extends CliError {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | undefined,
  ) {
    super(message, status >= 400 && status < 500 ? EXIT.usage : EXIT.failed);
  }
}

export interface HistoryQuery {
  readonly limit?: number;
  readonly cursor?: string;
}

/**
 * The routes under `/api` (docs/architecture.md#http-api). Answers are returned as parsed JSON, unvalidated: `--json`
 * prints them as they came, and each renderer validates what it reads.
 */
export class ApiClient {
  constructor(
    readonly endpoint: URL,
    private readonly fetch: Fetch,
    private readonly signer?: RequestSigner,
  ) {}

  getStatus(): Promise<unknown> {
    return this.request('GET', '/api/status');
  }

  /** `GET /api/metrics` (docs/operations.md#delivery-metrics). */
  getMetrics(query: { environment?: string | undefined; days?: number | undefined } = {}): Promise<unknown> {
    const search = new URLSearchParams();
    if (query.environment !== undefined) search.set('environment', query.environment);
    if (query.days !== undefined) search.set('days', String(query.days));
    return this.request('GET', '/api/metrics', { search });
  }

  getHistory(repository: string, environment: string, query: HistoryQuery = {}): Promise<unknown> {
    const search = new URLSearchParams();
    if (query.limit !== undefined) search.set('limit', String(query.limit));
    if (query.cursor !== undefined) search.set('cursor', query.cursor);
    return this.request('GET', `/api/history/${segment(repository)}/${segment(environment)}`, { search });
  }

  createRelease(body: { repository: string; environment: string; ref: string; override?: string }): Promise<unknown> {
    return this.request('POST', '/api/releases', { body });
  }

  getRelease(releaseId: string): Promise<unknown> {
    return this.request('GET', `/api/releases/${segment(releaseId)}`);
  }

  createPromotion(body: { environment: string; repositories?: string[]; override?: string }): Promise<unknown> {
    return this.request('POST', '/api/promotions', { body });
  }

  createRollback(body: { repository?: string; environment: string; to?: string }): Promise<unknown> {
    return this.request('POST', '/api/rollbacks', { body });
  }

  decide(approvalId: string, body: { decision: 'approve' | 'reject'; comment?: string }): Promise<unknown> {
    return this.request('POST', `/api/approvals/${segment(approvalId)}`, { body });
  }

  resume(body: { repository: string; environment: string }): Promise<unknown> {
    return this.request('POST', '/api/resume', { body });
  }

  private async request(method: string, path: string, options: { search?: URLSearchParams; body?: object } = {}): Promise<unknown> {
    const url = this.urlOf(path, options.search);
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    let headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.signer) headers = await this.signer({ method, url, headers, body });

    let response: Response;
    try {
      response = await this.fetch(url.toString(), { method, headers, body, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    } catch (error) {
      throw new CliError(unreachableMessage(this.endpoint, error), EXIT.failed, { cause: error });
    }
    const text = await response.text();
    const json = parseJson(text);
    if (!response.ok) throw new ApiError(errorMessage(response, json, text), response.status, errorCode(json));
    if (text.trim() === '') return null;
    if (json === undefined) throw new CliError(`${method} ${url.pathname} answered something that is not JSON: ${excerpt(text)}`, EXIT.failed);
    return json;
  }

  /** Keeps the endpoint's own path: on AWS it is the API stage (`/prod`). */
  private urlOf(path: string, search?: URLSearchParams): URL {
    const url = new URL(this.endpoint.toString());
    url.pathname = `${url.pathname.replace(/\/+$/, '')}${path}`;
    url.search = search && search.size > 0 ? `?${search.toString()}` : '';
    return url;
  }
}

function segment(value: string): string {
  return encodeURIComponent(value);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function field(json: unknown, name: string): string | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const value = (json as Record<string, unknown>)[name];
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

function errorCode(json: unknown): string | undefined {
  return field(json, 'error');
}

/** Our errors are `{error, message}`; API Gateway's own (a bad signature, throttling) are `{message}` or `{Message}`. */
function errorMessage(response: Response, json: unknown, text: string): string {
  const message = field(json, 'message') ?? field(json, 'Message');
  if (message) return message;
  const status = `${response.status} ${response.statusText}`.trim();
  return text.trim() === '' ? `the API answered ${status}` : `the API answered ${status}: ${excerpt(text)}`;
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}...` : flat;
}

function unreachableMessage(endpoint: URL, error: unknown): string {
  const origin = endpoint.toString().replace(/\/$/, '');
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `${origin} did not answer within ${REQUEST_TIMEOUT_MS / 1000}s`;
  }
  if (isLoopback(endpoint)) return `cannot reach ${origin}: is \`npm start\` running?`;
  const reason = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
  return `cannot reach ${origin}: ${reason}`;
}
