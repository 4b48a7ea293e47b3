// A remote_write HTTP body as sent: snappy block compressed, its message
// chosen by Content-Type. The HTTP layer reads the bytes within its limit and
// hands them here.
//
//   application/x-protobuf                                        1.0 WriteRequest
//   application/x-protobuf;proto=prometheus.WriteRequest          1.0 WriteRequest
//   application/x-protobuf;proto=io.prometheus.write.v2.Request   2.0 Request
//   anything else                                                 415 (the spec's answer)

import { UnsupportedMediaTypeError } from '../../model/errors.js';
import { decodeRemoteWriteV1, type DecodedRemoteWrite } from './remote-write-decode.js';
import { decodeRemoteWriteV2 } from './remote-write-v2-decode.js';
import { snappyUncompress } from './snappy.js';

export type RemoteWriteVersion = '1.0' | '2.0';

export const REMOTE_WRITE_V1_PROTO = 'prometheus.WriteRequest';
export const REMOTE_WRITE_V2_PROTO = 'io.prometheus.write.v2.Request';

/** The protocol version a Content-Type asks for; UnsupportedMediaTypeError for any other type. */
export function remoteWriteVersionOf(contentType: string | undefined): RemoteWriteVersion {
  const parts = (contentType ?? '').split(';');
  const type = parts[0]!.trim().toLowerCase();
  if (type === 'application/x-protobuf') {
    let proto = REMOTE_WRITE_V1_PROTO;
    for (let i = 1; i < parts.length; i++) {
      const eq = parts[i]!.indexOf('=');
      if (eq < 0) continue;
      if (parts[i]!.slice(0, eq).trim().toLowerCase() !== 'proto') continue;
      proto = parts[i]!.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
    }
    if (proto === REMOTE_WRITE_V1_PROTO) return '1.0';
    if (proto === REMOTE_WRITE_V2_PROTO) return '2.0';
  }
  throw new UnsupportedMediaTypeError(
    `remote-write: content type "${contentType ?? ''}" is not supported; send application/x-protobuf ` +
      `with proto=${REMOTE_WRITE_V1_PROTO} or proto=${REMOTE_WRITE_V2_PROTO}`,
  );
}

/** The Content-Encoding remote_write requires; the HTTP layer refuses others with 415. */
export const REMOTE_WRITE_ENCODING = 'snappy';

/**
 * Decompresses (refusing more than `maxBytes` uncompressed: TooLargeError) and
 * decodes a remote_write body of the given version.
 */
export function decodeRemoteWriteBody(compressed: Uint8Array, version: RemoteWriteVersion, maxBytes: number): DecodedRemoteWrite {
  const bytes = snappyUncompress(compressed, maxBytes);
  return version === '2.0' ? decodeRemoteWriteV2(bytes) : decodeRemoteWriteV1(bytes);
}
