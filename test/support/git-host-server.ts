import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the stand-in git host received. */
export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/**
 * A stand-in git host on loopback for commit statuses (docs/operations.md#commit-statuses): records each
 * request and answers what the host would (201), or `answer` when a test sets it (a refusal, an outage).
 */
export async function gitHostServer() {
  const seen: SeenRequest[] = [];
  const host = {
    base: '',
    seen,
    answer: 201,
    reset(): void {
      seen.length = 0;
      host.answer = 201;
    },
    close: (): Promise<void> => new Promise((resolve) => server.close(() => resolve())),
  };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      seen.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(host.answer, { 'content-type': 'application/json' });
      response.end(host.answer < 300 ? '{"id":1}' : '{"message":"Bad credentials"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return host;
}

export type GitHostServer = Awaited<ReturnType<typeof gitHostServer>>;
