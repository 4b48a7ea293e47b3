// Builds the token index of log parts (token-index.ts). At seal time the
// head hashes every record's words, each with its column (LogTokens, kept
// with the staged file); a
// flush then groups the rows of a part by service, orders them by time and
// cuts them into chunks of TOKEN_CHUNK_ROWS rows, one bloom filter each. The
// text fields hashed are those the SQL check reads (isSearchableLogColumn).

import type { LogBatch } from '../model/log-batch.js';
import { ValueType, type AttributeColumns } from '../model/span-batch.js';
import type { StagedFile } from '../head/head.js';
import { columnHash, forEachTokenHash, inColumn } from './log-tokens.js';
import { bodyColumnName, bodyFieldColumnName, logAttributeColumnName } from './log-column-names.js';
import { TOKEN_CHUNK_ROWS, buildChunkBloom, type TokenChunk } from './token-index.js';

/** Token hashes of a staged file's rows, in row order. */
export interface LogTokens {
  /** row r's hashes are hashes[offsets[r], offsets[r + 1]) */
  offsets: Uint32Array;
  hashes: Uint32Array;
  /** distinct service names, and each row's index into them */
  services: string[];
  serviceOfRow: Uint32Array;
}

class PairList {
  rows = new Uint32Array(1024);
  hashes = new Uint32Array(1024);
  length = 0;
  push(row: number, hash: number): void {
    if (this.length === this.rows.length) {
      const rows = new Uint32Array(this.length * 2);
      rows.set(this.rows);
      this.rows = rows;
      const hashes = new Uint32Array(this.length * 2);
      hashes.set(this.hashes);
      this.hashes = hashes;
    }
    this.rows[this.length] = row;
    this.hashes[this.length++] = hash;
  }
}

function isTextType(type: number): boolean {
  return type === ValueType.String || type === ValueType.Array;
}

/** Column name → its hash, per seal (keys repeat across records). */
class ColumnHashes {
  private readonly byName = new Map<string, number>();
  of(name: string): number {
    let h = this.byName.get(name);
    if (h === undefined) this.byName.set(name, (h = columnHash(name)));
    return h;
  }
}

function addTextValues(a: AttributeColumns, row0: number, pairs: PairList, nameOf: (key: string, type: ValueType) => string, columns: ColumnHashes): void {
  let lastKey = '';
  let lastType = -1;
  let column = 0;
  for (let i = 0; i < a.length; i++) {
    const type = a.type[i]!;
    if (!isTextType(type)) continue;
    const key = a.key[i]!;
    if (key !== lastKey || type !== lastType) {
      column = columns.of(nameOf(key, type as ValueType));
      lastKey = key;
      lastType = type;
    }
    const row = row0 + a.owner[i]!;
    const c = column;
    forEachTokenHash(a.str[i]!, (h) => pairs.push(row, inColumn(h, c)));
  }
}

/** Hashes the words of every record's text fields (StagingSchema.sidecar of logs). */
export function logTokensOf(batches: readonly LogBatch[]): LogTokens {
  let rows = 0;
  for (const b of batches) rows += b.length;
  const pairs = new PairList();
  const columns = new ColumnHashes();
  const eventNameColumn = columns.of('event_name');
  const serviceIndex = new Map<string, number>();
  const serviceOfRow = new Uint32Array(rows);
  let row0 = 0;
  for (const b of batches) {
    for (let i = 0; i < b.length; i++) {
      const name = b.resources.serviceName[b.resource[i]!]!;
      let s = serviceIndex.get(name);
      if (s === undefined) {
        s = serviceIndex.size;
        serviceIndex.set(name, s);
      }
      serviceOfRow[row0 + i] = s;
      if (b.eventName[i]) forEachTokenHash(b.eventName[i]!, (h) => pairs.push(row0 + i, inColumn(h, eventNameColumn)));
    }
    addTextValues(b.body, row0, pairs, bodyColumnName, columns);
    addTextValues(b.attributes, row0, pairs, logAttributeColumnName, columns);
    addTextValues(b.bodyFields, row0, pairs, bodyFieldColumnName, columns);
    row0 += b.length;
  }
  // Counting sort of the (row, hash) pairs by row.
  const offsets = new Uint32Array(rows + 1);
  for (let i = 0; i < pairs.length; i++) offsets[pairs.rows[i]! + 1]!++;
  for (let r = 0; r < rows; r++) offsets[r + 1]! += offsets[r]!;
  const fill = offsets.slice(0, rows);
  const hashes = new Uint32Array(pairs.length);
  for (let i = 0; i < pairs.length; i++) hashes[fill[pairs.rows[i]!]!++] = pairs.hashes[i]!;
  return { offsets, hashes, services: [...serviceIndex.keys()], serviceOfRow };
}

/**
 * The chunks of the rows of `staged` whose time falls in [fromNs, toNs):
 * per service, in time order, TOKEN_CHUNK_ROWS rows each.
 */
export function tokenChunksOf(staged: readonly StagedFile[], fromNs: bigint, toNs: bigint): TokenChunk[] {
  // Rows as (file, row) pairs grouped by service name.
  const byService = new Map<string, { file: number[]; row: number[] }>();
  staged.forEach((f, fi) => {
    const tokens = f.sidecar as LogTokens;
    for (let r = 0; r < f.rows; r++) {
      const t = f.startNs[r]!;
      if (t < fromNs || t >= toNs) continue;
      const service = tokens.services[tokens.serviceOfRow[r]!]!;
      let g = byService.get(service);
      if (!g) byService.set(service, (g = { file: [], row: [] }));
      g.file.push(fi);
      g.row.push(r);
    }
  });
  const chunks: TokenChunk[] = [];
  for (const service of [...byService.keys()].sort()) {
    const g = byService.get(service)!;
    const order = Array.from({ length: g.row.length }, (_, k) => k);
    const timeOf = (k: number): bigint => staged[g.file[k]!]!.startNs[g.row[k]!]!;
    order.sort((a, b) => {
      const ta = timeOf(a);
      const tb = timeOf(b);
      return ta < tb ? -1 : ta > tb ? 1 : 0;
    });
    for (let start = 0; start < order.length; start += TOKEN_CHUNK_ROWS) {
      const end = Math.min(order.length, start + TOKEN_CHUNK_ROWS);
      let count = 0;
      for (let k = start; k < end; k++) {
        const tokens = staged[g.file[order[k]!]!]!.sidecar as LogTokens;
        const r = g.row[order[k]!]!;
        count += tokens.offsets[r + 1]! - tokens.offsets[r]!;
      }
      const hashes = new Uint32Array(count);
      const distinct = new Set<number>();
      let p = 0;
      for (let k = start; k < end; k++) {
        const tokens = staged[g.file[order[k]!]!]!.sidecar as LogTokens;
        const r = g.row[order[k]!]!;
        for (let j = tokens.offsets[r]!; j < tokens.offsets[r + 1]!; j++) {
          const h = tokens.hashes[j]!;
          hashes[p++] = h;
          distinct.add(h);
        }
      }
      const bloom = buildChunkBloom(hashes, distinct.size);
      chunks.push({ service, minTimeNs: timeOf(order[start]!), maxTimeNs: timeOf(order[end - 1]!), rows: end - start, ...bloom });
    }
  }
  return chunks;
}
