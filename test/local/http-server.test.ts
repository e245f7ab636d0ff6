import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { networkInterfaces, userInfo } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ForegroundRequests } from '../../local/foreground-requests';
import { createLocalHttpServer, type LocalHttpServer, type LocalRoute } from '../../local/http-server';
import { eventually } from '../support/eventually';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A raw HTTP request, so header case, repetition and chunking are exactly what the test says. */
function send(port: number, options: { method?: string; path: string; headers?: Array<[string, string]>; body?: Buffer | string; host?: string }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: options.host ?? '127.0.0.1', port, method: options.method ?? 'GET', path: options.path }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    for (const [name, value] of options.headers ?? []) req.appendHeader(name, value);
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('local HTTP server', () => {
  const events: APIGatewayProxyEvent[] = [];
  const errors: unknown[] = [];
  let server: LocalHttpServer;
  let port: number;
  const record = (result: APIGatewayProxyResult) => async (event: APIGatewayProxyEvent) => {
    events.push(event);
    return result;
  };

  beforeAll(async () => {
    server = createLocalHttpServer({
      maxBodyBytes: 1024,
      onError: (error) => errors.push(error),
      routes: [
        { method: 'POST', resource: '/webhooks/{provider}', handler: record({ statusCode: 202, body: '{"status":"started"}', headers: { 'Content-Type': 'application/json' } }) },
        { method: 'GET', resource: '/api/releases/{id}', handler: record({ statusCode: 200, body: 'by id' }) },
        { method: 'GET', resource: '/api/releases/latest', handler: record({ statusCode: 200, body: 'literal' }) },
        { method: 'ANY', resource: '/files/{path+}', handler: record({ statusCode: 200, body: Buffer.from([0, 1, 2, 255]).toString('base64'), isBase64Encoded: true }) },
        {
          method: 'GET',
          resource: '/cookies',
          handler: record({ statusCode: 200, body: 'ok', headers: { 'X-One': 'a' }, multiValueHeaders: { 'Set-Cookie': ['a=1', 'b=2'] } }),
        },
        { method: 'HEAD', resource: '/page', handler: record({ statusCode: 200, body: 'never sent', headers: { 'Content-Type': 'text/html' } }) },
        {
          method: 'GET',
          resource: '/boom',
          handler: async () => {
            throw new Error('secret detail arn:aws:iam::123:role/x');
          },
        },
      ],
    });
    port = await server.listen(0);
  });
  afterAll(() => server.close());

  it('turns a request into the REST proxy event API Gateway would send', async () => {
    // Act
    const reply = await send(port, {
      method: 'POST',
      path: '/webhooks/github?a=1&a=2&b=x%20y',
      headers: [['X-Hub-Signature-256', 'sha256=abc'], ['Content-Type', 'application/json'], ['X-Many', 'one'], ['X-Many', 'two'], ['User-Agent', 'GitHub-Hookshot/1']],
      body: '{"zen":"é"}',
    });

    // Assess
    expect(reply.status).toBe(202);
    expect(reply.headers['content-type']).toBe('application/json');
    expect(reply.body.toString()).toBe('{"status":"started"}');
    const event = events.at(-1);
    expect(event).toMatchObject({
      httpMethod: 'POST',
      path: '/webhooks/github',
      resource: '/webhooks/{provider}',
      pathParameters: { provider: 'github' },
      queryStringParameters: { a: '2', b: 'x y' },
      multiValueQueryStringParameters: { a: ['1', '2'], b: ['x y'] },
      body: '{"zen":"é"}',
      isBase64Encoded: false,
      stageVariables: null,
    });
    // The sender's spelling is kept; a repeated header keeps its last value in `headers`.
    expect(event?.headers['X-Hub-Signature-256']).toBe('sha256=abc');
    expect(event?.headers['X-Many']).toBe('two');
    expect(event?.multiValueHeaders['X-Many']).toEqual(['one', 'two']);
    expect(event?.requestContext).toMatchObject({ httpMethod: 'POST', resourcePath: '/webhooks/{provider}', identity: { sourceIp: '127.0.0.1', userArn: null, userAgent: 'GitHub-Hookshot/1' } });
    expect(event?.requestContext.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('gives /api/* the local identity and prefers a literal segment to a parameter', async () => {
    const literal = await send(port, { path: '/api/releases/latest' });
    const byId = await send(port, { path: '/api/releases/r-123' });

    expect([literal.body.toString(), byId.body.toString()]).toEqual(['literal', 'by id']);
    const event = events.at(-1);
    expect(event?.pathParameters).toEqual({ id: 'r-123' });
    expect(event?.requestContext.identity.userArn).toBe(`local:${userInfo().username}`);
    expect(event?.queryStringParameters).toBeNull();
    expect(event?.body).toBeNull();
  });

  it('passes a binary body base64-encoded and writes a base64 result as bytes', async () => {
    const bytes = Buffer.from([0, 159, 146, 150, 255]);

    const reply = await send(port, { method: 'PUT', path: '/files/a/b%20c.bin', headers: [['Content-Type', 'application/octet-stream']], body: bytes });

    expect([...reply.body]).toEqual([0, 1, 2, 255]);
    const event = events.at(-1);
    expect(event).toMatchObject({ isBase64Encoded: true, pathParameters: { path: 'a/b c.bin' }, resource: '/files/{path+}' });
    expect(Buffer.from(event?.body ?? '', 'base64')).toEqual(bytes);
  });

  it('writes multi-value headers and sends no body to HEAD', async () => {
    const cookies = await send(port, { path: '/cookies' });
    const head = await send(port, { method: 'HEAD', path: '/page' });

    expect(cookies.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(cookies.headers['x-one']).toBe('a');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
  });

  it('answers 404 JSON to an unknown route or method', async () => {
    for (const reply of [await send(port, { path: '/nowhere' }), await send(port, { method: 'DELETE', path: '/webhooks/github' })]) {
      expect(reply.status).toBe(404);
      expect(JSON.parse(reply.body.toString())).toMatchObject({ error: 'not_found' });
    }
  });

  it('answers 500 without details when a handler throws, and reports the error', async () => {
    const reply = await send(port, { path: '/boom' });

    expect(reply.status).toBe(500);
    expect(reply.body.toString()).not.toMatch(/secret|arn:/);
    expect(JSON.parse(reply.body.toString())).toMatchObject({ error: 'internal_error' });
    expect(String(errors.at(-1))).toContain('secret detail');
  });

  it('refuses a body over the limit with 413, declared or streamed', async () => {
    const count = events.length;

    const declared = await send(port, { method: 'POST', path: '/webhooks/github', headers: [['Content-Length', '5000']], body: 'x'.repeat(5000) });
    const streamed = await send(port, { method: 'POST', path: '/webhooks/github', headers: [['Transfer-Encoding', 'chunked']], body: 'x'.repeat(5000) });
    const fits = await send(port, { method: 'POST', path: '/webhooks/github', body: 'x'.repeat(1024) });

    expect([declared.status, streamed.status, fits.status]).toEqual([413, 413, 202]);
    expect(JSON.parse(declared.body.toString())).toMatchObject({ error: 'payload_too_large' });
    expect(events.length).toBe(count + 1);
  });

  it('refuses 10 MB by default without reading it', async () => {
    const big = createLocalHttpServer({ routes: [{ method: 'POST', resource: '/x', handler: async () => ({ statusCode: 200, body: '' }) }] });
    const bigPort = await big.listen(0);
    try {
      // Only the header says 11 MB: the answer must come without the body ever being sent.
      const reply = await new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: bigPort, method: 'POST', path: '/x', headers: { 'Content-Length': String(11 * 1024 * 1024) } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.write('x');
      });
      expect(reply).toBe(413);
    } finally {
      await big.close();
    }
  });

  it('listens on loopback only', async () => {
    const external = Object.values(networkInterfaces())
      .flat()
      .find((address) => address && address.family === 'IPv4' && !address.internal);
    if (!external) return;

    await expect(send(port, { path: '/cookies', host: external.address })).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe('local HTTP server against other web pages', () => {
  it.each([
    ['a DNS-rebound host', { host: 'attacker.example:3000' }, '/api/status', 'GET', 403],
    ['a cross-site operator request', { origin: 'https://attacker.example' }, '/api/rollbacks', 'POST', 403],
    ['any browser on the operator API', { origin: 'http://127.0.0.1:PORT' }, '/api/status', 'GET', 403],
    ['its own approval form (signed by its t, posted with Origin: null)', { origin: 'null' }, '/approvals/a-1', 'POST', 200],
    ['the CLI', {}, '/api/status', 'GET', 200],
  ])('answers %s with %s', async (_case, headers, path, method, status) => {
    const server = createLocalHttpServer({
      routes: [
        { method: 'ANY', resource: '/api/{proxy+}', handler: async () => ({ statusCode: 200, body: '{}' }) },
        { method: 'ANY', resource: '/approvals/{id}', handler: async () => ({ statusCode: 200, body: '' }) },
      ],
    });
    const port = await server.listen(0);
    try {
      const answer = await new Promise<number>((resolve, reject) => {
        const outgoing = request(
          { host: '127.0.0.1', port, path, method, headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, v.replace('PORT', String(port))])) },
          (response) => {
            response.resume();
            resolve(response.statusCode ?? 0);
          },
        );
        outgoing.on('error', reject);
        outgoing.end();
      });
      expect(answer).toBe(status);
    } finally {
      await server.close();
    }
  });
});

/** Requests written by hand on one TCP connection, so the test decides when the connection is reused. */
class RawConnection {
  private received = '';
  private readonly socket: Socket;
  closed = false;

  constructor(port: number) {
    this.socket = connect(port, '127.0.0.1');
    this.socket.on('data', (chunk: Buffer) => (this.received += chunk.toString()));
    this.socket.on('close', () => (this.closed = true));
    this.socket.on('error', () => undefined);
  }

  /** Writes a GET and resolves with the status line of the answer, or `closed` if the server hung up. */
  async get(path: string): Promise<string> {
    const before = this.received.length;
    this.socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    await eventually(async () => this.closed || /\r\n\r\n/.test(this.received.slice(before)), { timeoutMs: 10_000, what: 'an answer' });
    const answer = this.received.slice(before);
    return answer.length === 0 ? 'closed' : (answer.split('\r\n')[0] ?? '');
  }

  headers(): string {
    return this.received.toLowerCase();
  }

  end(): void {
    this.socket.destroy();
  }
}

describe('local HTTP server connections', () => {
  it('keeps an idle connection open past the 5 s at which Node closes it by default', async () => {
    // Prepare: a client that paused (a CLI waiting on a git commit) reuses its kept-alive connection.
    const server = createLocalHttpServer({ routes: [{ method: 'GET', resource: '/x', handler: async () => ({ statusCode: 200, body: 'ok' }) }] });
    const connection = new RawConnection(await server.listen(0));
    try {
      expect(await connection.get('/x')).toBe('HTTP/1.1 200 OK');

      // Act
      await new Promise((resolve) => setTimeout(resolve, 5_500));
      const second = await connection.get('/x');

      // Assess: answered on the same connection, and the hint tells clients to let go well before the server does.
      expect(second).toBe('HTTP/1.1 200 OK');
      expect(connection.headers()).toContain('keep-alive: timeout=65');
    } finally {
      connection.end();
      await server.close();
    }
  }, 15_000);

  it('lets a request under way finish when it is closed', async () => {
    // Prepare
    let release!: () => void;
    const slow = new Promise<void>((resolve) => (release = resolve));
    const server = createLocalHttpServer({
      routes: [
        {
          method: 'GET',
          resource: '/slow',
          handler: async () => {
            await slow;
            return { statusCode: 200, body: 'finished' };
          },
        },
      ],
    });
    const port = await server.listen(0);
    const answer = send(port, { path: '/slow' });
    await new Promise((resolve) => setTimeout(resolve, 50));

    // Act
    const closed = server.close();
    setTimeout(release, 100);
    const reply = await answer;
    await closed;

    // Assess
    expect(reply.status).toBe(200);
    expect(reply.body.toString()).toBe('finished');
    await expect(send(port, { path: '/slow' })).rejects.toThrow(/ECONNREFUSED/);
  });

  it('answers 500 rather than hanging up when a handler returns a header Node refuses to write', async () => {
    const errors: unknown[] = [];
    const server = createLocalHttpServer({
      onError: (error) => errors.push(error),
      routes: [{ method: 'GET', resource: '/bad', handler: async () => ({ statusCode: 200, body: 'x', headers: { 'X-Bad': 'one\r\ntwo' } }) }],
    });
    const port = await server.listen(0);
    try {
      const reply = await send(port, { path: '/bad' });

      expect(reply.status).toBe(500);
      expect(reply.headers['x-bad']).toBeUndefined();
      expect(JSON.parse(reply.body.toString())).toMatchObject({ error: 'internal_error' });
      expect(errors).toHaveLength(1);
    } finally {
      await server.close();
    }
  });
});

/** A GET route whose handler answers only once released; `arrived` resolves when a request reaches it. */
function heldRoute(resource: string) {
  let reached = () => {};
  let release = () => {};
  const arrived = new Promise<void>((resolve) => (reached = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  const route: LocalRoute = {
    method: 'GET',
    resource,
    handler: async () => {
      reached();
      await released;
      return { statusCode: 200, body: 'done' };
    },
  };
  return { route, arrived, release: () => release() };
}

describe('local HTTP server: the requests being answered, which the runs let go first', () => {
  const foreground = new ForegroundRequests();
  let server: LocalHttpServer;
  let port: number;
  const held = heldRoute('/held');
  const abandoned = heldRoute('/abandoned');

  beforeAll(async () => {
    server = createLocalHttpServer({
      foreground,
      maxBodyBytes: 16,
      onError: () => undefined,
      routes: [
        held.route,
        abandoned.route,
        { method: 'POST', resource: '/webhooks/{provider}', handler: async () => ({ statusCode: 202, body: '' }) },
      ],
    });
    port = await server.listen(0);
  });
  afterAll(() => server.close());

  it('counts a request from its arrival until its answer is sent', async () => {
    const reply = send(port, { path: '/held' });
    await held.arrived;
    expect(foreground.inFlight).toBe(1);

    held.release();
    expect((await reply).status).toBe(200);
    await eventually(() => foreground.inFlight === 0, { what: 'the answered request no longer counted' });
  });

  it('stops counting a request whose client went away before its answer', async () => {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.write('GET /abandoned HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await abandoned.arrived;
    expect(foreground.inFlight).toBe(1);

    socket.destroy();
    await eventually(() => foreground.inFlight === 0, { what: 'the abandoned request no longer counted' });
    abandoned.release();
  });

  it('stops counting the requests it refuses or cannot route, too', async () => {
    const replies = await Promise.all([send(port, { path: '/nowhere' }), send(port, { method: 'POST', path: '/webhooks/github', body: 'x'.repeat(64) })]);

    expect(replies.map((reply) => reply.status)).toEqual([404, 413]);
    await eventually(() => foreground.inFlight === 0, { what: 'the refused requests no longer counted' });
  });
});
