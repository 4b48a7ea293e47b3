// What a log part's token index holds, and what other codings of it would
// cost: the bench's records (bench/logs-dataset.ts, seed 1) decoded as the
// server does, put in part order (logPartRows), cut into chunks, each
// chunk's distinct word keys counted by kind — small numbers by range, other
// words (hashes) — and sized as written (number blocks + fuse filter), with
// 6-bit and 5-bit fingerprints. Not part of the suite (docs/storage.md, "Session 13"):
//   [CHUNK_ROWS=65536] node --import tsx bench/logs-token-study.ts [records]
import { ndjsonLines } from './logs-dataset.js';
import { decodeJsonLines } from '../src/receive/json-lines-decode.js';
import { logRowColumns } from '../src/parts/log-columns.js';
import { logPartRows, logTokensOf, type LogRowsOfFile } from '../src/parts/log-token-chunks.js';
import { distinctHashes, encodeTokenIndex, buildTokenChunks, TOKEN_CHUNK_ROWS, type ChunkPlace } from '../src/parts/token-index.js';
import { SMALL_NUMBER_KEYS } from '../src/parts/log-tokens.js';
import { numberSetBytes } from '../src/parts/number-set.js';

const records = Number(process.argv[2] ?? 500_000);
/** CHUNK_ROWS=65536: chunks of another size than the flush's */
const chunkRows = Number(process.env['CHUNK_ROWS'] ?? TOKEN_CHUNK_ROWS);
const encoder = new TextEncoder();
const batches = [];
for (let i = 0; i < records; i += 5000) {
  const body = encoder.encode(ndjsonLines(1, i, Math.min(records, i + 5000), records));
  batches.push(decodeJsonLines(body, { stream: 'app', timeField: 'ts', severityField: 'level', receivedNs: 1n }).batch);
}
const tokens = logTokensOf(batches);
const columns = logRowColumns(batches);
const startNs = (columns.find((c) => c.name === 'time_unix_nano') as { values: BigInt64Array }).values;
const file: LogRowsOfFile = { path: 'x', rows: records, startNs, tokens };
const order = logPartRows([file], 0n, 2n ** 62n);

const chunkKeys: Uint32Array[] = [];
for (let start = 0; start < order.length; start += chunkRows) {
  const end = Math.min(order.length, start + chunkRows);
  const all: number[] = [];
  for (let k = start; k < end; k++) {
    const r = order[k]!;
    for (let j = tokens.offsets[r]!; j < tokens.offsets[r + 1]!; j++) all.push(tokens.hashes[j]!);
  }
  chunkKeys.push(distinctHashes(Uint32Array.from(all)));
}

// keys by kind, per record
const ranges = [0, 4096, 65536, 131072, 1 << 20];
const byRange = new Array(ranges.length).fill(0);
let hashed = 0;
for (const keys of chunkKeys) {
  for (const k of keys) {
    if (k >= SMALL_NUMBER_KEYS) hashed++;
    else for (let r = ranges.length - 2; r >= 0; r--) if (k >= ranges[r]!) { byRange[r]++; break; }
  }
}
const out: Record<string, unknown> = { records, chunkRows, chunks: chunkKeys.length };
for (let r = 0; r < ranges.length - 1; r++) out[`numbers ${ranges[r]}-${ranges[r + 1]} per chunk (density)`] = `${Math.round(byRange[r] / chunkKeys.length)} (${(byRange[r] / chunkKeys.length / (ranges[r + 1]! - ranges[r]!)).toFixed(3)})`;
out['hashed words per chunk'] = Math.round(hashed / chunkKeys.length);

// the index as written now
const places: ChunkPlace[] = chunkKeys.map((_, i) => ({ firstRow: i * chunkRows, rows: chunkRows, minTimeNs: 0n, maxTimeNs: 0n, minService: 'app', maxService: 'app' }));
for (const bits of [6, 5]) {
  const chunks = buildTokenChunks(places, (i) => chunkKeys[i]!, bits);
  const numberBytes = chunks.reduce((n, c) => n + numberSetBytes(c.numbers), 0);
  out[`${bits}-bit: numbers below (chunk 0)`] = chunks[0]!.numbersBelow;
  const filterBytes = chunks[0]!.filter.fingerprints.length;
  out[`${bits}-bit: index / numbers / filter B/record`] = [encodeTokenIndex(chunks).length, numberBytes, filterBytes].map((b) => (b / records).toFixed(4)).join(' / ');
}

console.log(JSON.stringify(out, null, 1));
