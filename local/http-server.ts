import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { userInfo } from 'node:os';
import type { ForegroundRequests } from './foreground-requests';

export type ProxyHandler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

export interface LocalRoute {
  /** `GET`, `POST`, ... or `ANY`. */
  readonly method: string;
  /** API Gateway resource path: `/webhooks/{provider}`, `/api/releases/{id}`, `/files/{proxy+}`. */
  readonly resource: string;
  readonly handler: ProxyHandler;
}

export interface LocalHttpServerOptions {
  readonly routes: readonly LocalRoute[];
  /** A handler threw: the client gets a 500 without details, this gets the error. @default console.error */
  readonly onError?: (error: unknown, event?: APIGatewayProxyEvent) => void;
  /** @default 10 MB, API Gateway's payload limit */
  readonly maxBodyBytes?: number;
  /** The `userArn` of `/api/*` requests: on loopback the caller is the local user. @default `local:<os user>` */
  readonly localIdentity?: string;
  /** How long `close()` lets requests under way finish before it cuts their connections. @default 5 s */
  readonly drainMs?: number;
  /**
   * Counts each request from its arrival until its answer is sent or its connection closes, so that what
   * runs in the background can let it go first. @default nothing counts them
   */
  readonly foreground?: Pick<ForegroundRequests, 'begin'>;
}

export interface LocalHttpServer {
  /** Listens on 127.0.0.1 only; port 0 picks a free one. Resolves with the port. */
  listen(port: number): Promise<number>;
  /** Stops taking connections, lets the requests under way finish (up to `drainMs`), then closes the rest. */
  close(): Promise<void>;
}

const TEN_MB = 10 * 1024 * 1024;

/**
 * How long an idle kept-alive connection stays open. Node's default (5 s) races its clients: a client
 * that paused for about that long (a CLI or a test waiting on a `git commit` whose hook runs) sends its
 * next request on a connection the server is closing at that very moment, and sees "other side closed".
 * Clients close idle connections a little before the `Keep-Alive: timeout` hint sent with every answer,
 * so a long hint keeps the server from being the side that closes; 65 s is the usual choice.
 */
const KEEP_ALIVE_MS = 65_000;

/**
 * Local mode's API Gateway: each HTTP request becomes the REST proxy event API Gateway would send, is
 * routed by method and resource to the same handler as on AWS, and its result is written back. Loopback
 * only: `/api/*` carries the local user's identity and no signature is checked.
 */
export function createLocalHttpServer(options: LocalHttpServerOptions): LocalHttpServer {
  const routes = options.routes.map(compileRoute);
  const maxBodyBytes = options.maxBodyBytes ?? TEN_MB;
  const identity = options.localIdentity ?? `local:${safeUserName()}`;
  const onError = options.onError ?? ((error: unknown) => console.error('local HTTP handler failed', error));

  const drainMs = options.drainMs ?? 5_000;
  const server = createServer((request, response) => {
    inFlight += 1;
    const answered = options.foreground?.begin();
    response.once('close', () => {
      answered?.();
      inFlight -= 1;
      if (inFlight === 0) drained?.();
    });
    serve(request, response).catch((error: unknown) => {
      // Writing the answer itself failed (the client went away): nothing left to tell anyone but the log.
      onError(error);
      response.destroy();
    });
  });
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  // Headers must be allowed to take longer than an idle connection may stay open (Node's own rule).
  server.headersTimeout = KEEP_ALIVE_MS + 1_000;
  let inFlight = 0;
  let closing = false;
  let drained: (() => void) | undefined;

  async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const refusal = browserRefusal(request, url.pathname);
    if (refusal) return send(response, jsonResult(403, 'forbidden', refusal));
    const found = matchRoute(routes, request.method ?? 'GET', url.pathname);
    if (!found) {
      return send(response, jsonResult(404, 'not_found', `no route for ${request.method} ${url.pathname}`));
    }
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > maxBodyBytes) return tooLarge(response);
    const body = await readBody(request, maxBodyBytes);
    if (!body) return tooLarge(response);
    const event = buildEvent(request, url, body, found, identity);
    let result: APIGatewayProxyResult;
    try {
      result = await found.route.handler(event);
    } catch (error) {
      onError(error, event);
      result = jsonResult(500, 'internal_error', 'the request failed; see the local mode log');
    }
    // A server that is closing tells the client not to send anything more on this connection.
    if (closing) response.setHeader('connection', 'close');
    try {
      send(response, result);
    } catch (error) {
      // An answer Node refuses to write (a header with a newline in it): the client still gets one.
      onError(error, event);
      if (response.headersSent) throw error;
      for (const name of response.getHeaderNames()) response.removeHeader(name);
      send(response, jsonResult(500, 'internal_error', 'the request failed; see the local mode log'));
    }
  }

  return {
    listen: (port) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => {
          server.off('error', reject);
          resolve((server.address() as AddressInfo).port);
        });
      }),
    close: async () => {
      // New connections are refused and idle ones closed at once; answers under way are finished first.
      closing = true;
      const closed = new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
      server.closeIdleConnections();
      if (inFlight > 0) {
        const timer = { id: undefined as NodeJS.Timeout | undefined };
        await new Promise<void>((resolve) => {
          drained = resolve;
          timer.id = setTimeout(resolve, drainMs);
        });
        clearTimeout(timer.id);
      }
      server.closeAllConnections();
      await closed;
    },
  };
}

const LOOPBACK_HOST = /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/i;

/**
 * Loopback needs no signature, so other web pages must not be able to act through a browser: a Host
 * that is not loopback (DNS rebinding) is refused, and `/api/*` refuses any request a browser marks with
 * an Origin (the CLI sends none), `/console/api/*` any Origin but its own. Webhooks and approval forms carry their own signatures; the approval
 * page's form posts with `Origin: null` (its Referrer-Policy is no-referrer).
 */
function browserRefusal(request: IncomingMessage, path: string): string | undefined {
  const host = request.headers.host ?? '';
  if (!LOOPBACK_HOST.test(host)) return `local mode answers only on loopback, not for host "${host}"`;
  const origin = request.headers.origin;
  if (origin === undefined) return undefined;
  if (path.startsWith('/api/')) return 'the operator API of local mode does not answer browsers: use the cot CLI';
  // The console's own page calls its API from this very origin; no other page may (docs/console.md).
  if (path.startsWith('/console/api/') && origin !== `http://${host}`) return 'the console API of local mode answers only the console page it serves';
  return undefined;
}

/** The body, or undefined once it passes the limit (reading stops there). */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.off('data', onData);
        request.pause();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    request.on('data', onData);
    request.once('end', () => resolve(Buffer.concat(chunks)));
    request.once('error', reject);
  });
}

/** 413 and close the connection: the rest of the body is never read. */
function tooLarge(response: ServerResponse): void {
  response.setHeader('connection', 'close');
  send(response, jsonResult(413, 'payload_too_large', 'the request body is larger than the API accepts'));
}

function send(response: ServerResponse, result: APIGatewayProxyResult): void {
  response.statusCode = result.statusCode;
  for (const [name, value] of Object.entries(result.headers ?? {})) response.setHeader(name, String(value));
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) {
    const existing = response.getHeader(name);
    response.setHeader(name, [...(existing === undefined ? [] : [existing].flat().map(String)), ...values.map(String)]);
  }
  const body = result.isBase64Encoded ? Buffer.from(result.body ?? '', 'base64') : Buffer.from(result.body ?? '', 'utf8');
  response.end(body);
}

function jsonResult(statusCode: number, error: string, message: string): APIGatewayProxyResult {
  return { statusCode, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }, body: JSON.stringify({ error, message }) };
}

function safeUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

interface CompiledRoute extends LocalRoute {
  readonly segments: readonly string[];
}

function compileRoute(route: LocalRoute): CompiledRoute {
  return { ...route, method: route.method.toUpperCase(), segments: route.resource.split('/').filter(Boolean) };
}

interface Match {
  readonly route: CompiledRoute;
  readonly pathParameters: Record<string, string>;
}

/**
 * As API Gateway chooses: a literal segment beats a `{parameter}`, which beats a greedy `{name+}`; a
 * route of the request's method beats an `ANY` one.
 */
function matchRoute(routes: readonly CompiledRoute[], method: string, pathname: string): Match | undefined {
  const segments = pathname.split('/').filter(Boolean).map(decodeSegment);
  const matches = routes.flatMap((route) => {
    if (route.method !== method.toUpperCase() && route.method !== 'ANY') return [];
    const pathParameters = matchSegments(route.segments, segments);
    return pathParameters ? [{ route, pathParameters }] : [];
  });
  return matches.sort((a, b) => score(b.route) - score(a.route))[0];
}

function matchSegments(pattern: readonly string[], segments: readonly string[]): Record<string, string> | undefined {
  const parameters = record<string>();
  for (const [index, part] of pattern.entries()) {
    const greedy = /^\{(\w+)\+\}$/.exec(part);
    if (greedy?.[1]) {
      // A greedy parameter takes the rest of the path, at least one segment, and must come last.
      if (index !== pattern.length - 1 || segments.length <= index) return undefined;
      parameters[greedy[1]] = segments.slice(index).join('/');
      return parameters;
    }
    const segment = segments[index];
    if (segment === undefined) return undefined;
    const parameter = /^\{(\w+)\}$/.exec(part);
    if (parameter?.[1]) parameters[parameter[1]] = segment;
    else if (part !== segment) return undefined;
  }
  return segments.length === pattern.length ? parameters : undefined;
}

function score(route: CompiledRoute): number {
  const literal = route.segments.filter((part) => !part.startsWith('{')).length;
  const greedy = route.segments.some((part) => part.endsWith('+}')) ? 1 : 0;
  return literal * 100 + route.segments.length * 10 - greedy * 5 + (route.method === 'ANY' ? 0 : 1);
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Content types API Gateway passes as text when no binary media type is set; others arrive base64-encoded. */
const TEXT_TYPES = /^(text\/|application\/(json|x-www-form-urlencoded|xml|javascript|graphql)|application\/[\w.+-]+\+(json|xml))/i;

/** The REST proxy event API Gateway would send for this request. */
function buildEvent(request: IncomingMessage, url: URL, body: Buffer, match: Match, identity: string): APIGatewayProxyEvent {
  const { headers, multiValueHeaders } = collectHeaders(request.rawHeaders);
  const query = record<string>();
  const multiQuery = record<string[]>();
  for (const [name, value] of url.searchParams) {
    // As API Gateway: the single-value map keeps the last of repeated parameters.
    query[name] = value;
    (multiQuery[name] ??= []).push(value);
  }
  const hasQuery = Object.keys(query).length > 0;
  const contentType = request.headers['content-type'] ?? '';
  const text = contentType === '' || TEXT_TYPES.test(contentType);
  const method = (request.method ?? 'GET').toUpperCase();
  const operator = url.pathname === '/api' || url.pathname.startsWith('/api/') || url.pathname.startsWith('/console/api/');
  const now = new Date();
  return {
    resource: match.route.resource,
    path: url.pathname,
    httpMethod: method,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    pathParameters: Object.keys(match.pathParameters).length > 0 ? match.pathParameters : null,
    stageVariables: null,
    body: body.length === 0 ? null : text ? body.toString('utf8') : body.toString('base64'),
    isBase64Encoded: body.length > 0 && !text,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: null,
      protocol: `HTTP/${request.httpVersion}`,
      httpMethod: method,
      path: url.pathname,
      stage: 'local',
      requestId: randomUUID(),
      requestTimeEpoch: now.getTime(),
      resourceId: 'local',
      resourcePath: match.route.resource,
      domainName: request.headers.host ?? '127.0.0.1',
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        // On AWS, IAM authorisation of /api/* fills these with the signer; on loopback it is the local user.
        user: operator ? identity : null,
        userAgent: request.headers['user-agent'] ?? null,
        userArn: operator ? identity : null,
      },
    },
  };
}

/** Headers in the sender's spelling; a repeated header keeps its last value in `headers`, all in `multiValueHeaders`. */
function collectHeaders(raw: readonly string[]) {
  const headers = record<string>();
  const multiValueHeaders = record<string[]>();
  const spelling = new Map<string, string>();
  for (let index = 0; index + 1 < raw.length; index += 2) {
    const given = raw[index] ?? '';
    const value = raw[index + 1] ?? '';
    const name = spelling.get(given.toLowerCase()) ?? given;
    spelling.set(given.toLowerCase(), name);
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  return { headers, multiValueHeaders };
}

/** Maps keyed by client input have no prototype: a header or parameter named `__proto__` is just a name. */
function record<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}
