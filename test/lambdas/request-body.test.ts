import type { APIGatewayProxyEvent } from 'aws-lambda';
import * as z from 'zod/mini';
import { describe, expect, it } from 'vitest';
import { InvalidRequest, jsonBody, parseRequest, requestName } from '../../lambdas/request-body';

const withBody = (body: string | null) => ({ body, isBase64Encoded: false }) as unknown as APIGatewayProxyEvent;

describe('what the operator API and the console read of a request', () => {
  it.each([
    ['no body', null, 'the request needs a JSON body'],
    ['a blank body', '  ', 'the request needs a JSON body'],
    ['a body that is not JSON', '{repository:', 'the body is not valid JSON'],
  ])('refuses %s as an invalid request', (_case, body, message) => {
    expect(() => jsonBody(withBody(body))).toThrow(InvalidRequest);
    expect(() => jsonBody(withBody(body))).toThrow(message);
  });

  it('reads a JSON body and checks it against its schema, saying in English what is wrong', () => {
    const schema = z.strictObject({ repository: requestName });
    expect(parseRequest(schema, jsonBody(withBody('{"repository":" web "}')))).toEqual({ repository: 'web' });
    expect(() => parseRequest(schema, { repository: 'x'.repeat(129) }, 'body')).toThrow(/^invalid body: .*repository/s);
    expect(() => parseRequest(schema, { repository: 'web', extra: 1 })).toThrow(/^invalid request: .*extra/s);
  });
});
