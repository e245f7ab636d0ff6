import { reject } from './outcome';
import type { Rejection } from './outcome';

/**
 * Default largest body read, 5 MiB. A Lambda invoked synchronously receives at most 6 MB (headers and
 * envelope included, less when API Gateway base64-encodes), so on AWS nothing larger arrives anyway;
 * in local mode this bound keeps JSON.parse far inside the 1 s answer budget. GitHub caps payloads at
 * 25 MB, but a push reaching even 5 MiB needs thousands of commits with long file lists.
 */
export const DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024;

export interface RawBody {
  /** The bytes exactly as received: what HMACs are computed over. */
  bytes: Uint8Array;
  /** The same bytes as text; strict decoding makes `Buffer.from(text)` equal `bytes` again. */
  text: string;
}

/** Checks size first, then that the bytes are UTF-8 (JSON must be, RFC 8259), without throwing. */
export function readRawBody(body: string | Uint8Array, maxBytes: number): RawBody | Rejection {
  const size = typeof body === 'string' ? Buffer.byteLength(body, 'utf8') : body.byteLength;
  if (size > maxBytes) return reject('payload_too_large', `the body is larger than ${maxBytes} bytes`);
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  try {
    // ignoreBOM keeps a byte order mark in the text, so the text still maps back to every byte.
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
    return { bytes, text };
  } catch {
    return reject('malformed_payload', 'the body is not UTF-8 text');
  }
}

/**
 * JSON.parse that answers instead of throwing: a syntax error, and the RangeError that very deep nesting
 * can raise, are both a malformed body. Only a JSON object can be a webhook payload.
 */
export function parseJsonObject(text: string): Record<string, unknown> | Rejection {
  const malformed = reject('malformed_payload', 'the body must be a JSON object (set the webhook content type to application/json)');
  if (text.length === 0) return malformed;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return malformed;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : malformed;
}
