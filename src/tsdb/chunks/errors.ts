import { DecodeError } from '../../model/errors.js';

/** A chunk that cannot be read: unknown encoding, truncated or inconsistent bytes. */
export function chunkError(detail: string): DecodeError {
  return new DecodeError(`chunks: ${detail}`);
}
