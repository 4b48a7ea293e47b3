// The part of decoding an OTLP/JSON request that does not depend on the
// signal: body → UTF-8 text → JSON.parse → top-level object, shape errors
// turned into one DecodeError line, and the one retry for an int64 sent as a
// bare number beyond 2^53.

import { DecodeError } from '../model/errors.js';
import { quoteLongIntegers } from './json-exact-integers.js';
import { InexactIntegerError, JsonShapeError, describe, isObject, type JsonObject } from './otlp-json-fields.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes `body` and hands the top-level object to `read`. Errors are
 * DecodeErrors prefixed with `component` (e.g. `otlp-json`); a JsonShapeError
 * thrown by `read` becomes `component: path: detail`. `read` may run twice
 * (after an InexactIntegerError), so it must keep its state inside the call.
 */
export function decodeOtlpJsonBody<T>(
  body: Uint8Array | string,
  component: string,
  read: (request: JsonObject) => T,
): T {
  let text: string;
  if (typeof body === 'string') {
    text = body;
  } else {
    try {
      text = utf8.decode(body);
    } catch {
      throw new DecodeError(`${component}: body is not valid UTF-8`);
    }
  }
  try {
    return decodeText(text, component, read, false);
  } catch (e) {
    if (!(e instanceof InexactIntegerError)) throw e;
  }
  // Rare: an int64 sent as a bare number beyond 2^53. Decode again with such
  // literals quoted so they are read exactly.
  return decodeText(quoteLongIntegers(text), component, read, true);
}

/** An InexactIntegerError escapes unless `final`, for the caller to retry. */
function decodeText<T>(text: string, component: string, read: (request: JsonObject) => T, final: boolean): T {
  let request: unknown;
  try {
    request = JSON.parse(text);
  } catch (e) {
    throw new DecodeError(`${component}: body is not valid JSON: ${oneLine((e as Error).message)}`);
  }
  if (!isObject(request)) {
    throw new DecodeError(`${component}: expected a JSON object at the top level, got ${describe(request)}`);
  }
  try {
    return read(request);
  } catch (e) {
    if (!(e instanceof JsonShapeError) || (e instanceof InexactIntegerError && !final)) throw e;
    throw new DecodeError(`${component}: ${e.pathText()}: ${e.detail}`);
  }
}

const MAX_PARSER_MESSAGE_CHARS = 200;

// V8's JSON.parse messages can quote the body, newlines and all.
function oneLine(message: string): string {
  const flat = message.replace(/\s+/g, ' ');
  return flat.length > MAX_PARSER_MESSAGE_CHARS ? `${flat.slice(0, MAX_PARSER_MESSAGE_CHARS)}…` : flat;
}
