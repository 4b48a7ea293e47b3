import type { FileHandle } from 'node:fs/promises';

/**
 * Writes every byte of `buffers` at `position` with as few writev calls as
 * the kernel allows (normally one); a short write continues where it stopped.
 */
export async function writeFully(handle: FileHandle, buffers: readonly Uint8Array[], position: number): Promise<number> {
  let total = 0;
  for (const b of buffers) total += b.length;
  let written = 0;
  let pending: Uint8Array[] = buffers.slice();
  while (written < total) {
    const { bytesWritten } = await handle.writev(pending, position + written);
    if (bytesWritten <= 0) throw new Error(`wal: write made no progress at offset ${position + written}`);
    written += bytesWritten;
    pending = dropPrefix(pending, bytesWritten);
  }
  return total;
}

function dropPrefix(buffers: Uint8Array[], bytes: number): Uint8Array[] {
  let i = 0;
  let left = bytes;
  while (i < buffers.length && left >= buffers[i]!.length) left -= buffers[i++]!.length;
  const rest = buffers.slice(i);
  if (left > 0 && rest.length > 0) rest[0] = rest[0]!.subarray(left);
  return rest;
}
