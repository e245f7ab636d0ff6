/** JSON values as they travel through a state machine (input, Parameters, task results, output). */
export type JsonPrimitive = null | boolean | number | string;
export type JsonValue = JsonPrimitive | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Makes whatever a local handler returned look like what Step Functions would have received over the wire:
 * `undefined` fields dropped, dates as ISO strings, bytes as base64 (as the service integrations do).
 */
export function toJsonValue(value: unknown): JsonValue {
  if (value === undefined) return null;
  const text = JSON.stringify(value, function replacer(this: Record<string, unknown>, key: string, converted: unknown) {
    // `this[key]` is the value before toJSON ran: Buffer.toJSON would otherwise give { type, data }.
    const raw = key === '' ? value : this[key];
    if (raw instanceof Uint8Array) return Buffer.from(raw).toString('base64');
    if (typeof converted === 'bigint') return Number(converted);
    return converted;
  });
  return text === undefined ? null : (JSON.parse(text) as JsonValue);
}
