import type { APIGatewayProxyEvent } from 'aws-lambda';
import * as z from 'zod/mini';
import '../core/zod-english';
import { rawBody } from './http';

/*
 * What the operator API and the console read of a request before any use case runs, written once:
 * the size of names and refs, the JSON body, and its schema. A refusal is a 400 `invalid_request`.
 */

/** A repository's or an environment's name: checked against the config by the use cases (404 naming the configured ones); here only size. */
export const requestName = z.string().check(z.trim(), z.minLength(1), z.maxLength(128));
/** A SHA, a short SHA or a tag. */
export const requestRef = z.string().check(z.trim(), z.minLength(1), z.maxLength(255));

/** A request refused before any use case runs: answered 400 `invalid_request` with this message. */
export class InvalidRequest extends Error {}

/** The request's JSON body; none, or one that is not JSON, is refused. */
export function jsonBody(event: APIGatewayProxyEvent): unknown {
  const body = rawBody(event).toString();
  if (body.trim() === '') throw new InvalidRequest('the request needs a JSON body');
  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw new InvalidRequest('the body is not valid JSON');
  }
}

/** `value` as `schema` has it, or a refusal saying, in English, what is wrong with `what`. */
export function parseRequest<T extends z.ZodMiniType>(schema: T, value: unknown, what = 'request'): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw new InvalidRequest(`invalid ${what}: ${z.prettifyError(result.error)}`);
  return result.data;
}
