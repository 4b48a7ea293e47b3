// Trace by id: only parts whose trace-id bloom filter may hold the id are
// opened, and inside a part (sorted by trace id) DuckDB skips every row group
// whose min/max excludes it.
//
// The predicate is `trace_id BETWEEN x AND x`, not `=`: DuckDB 1.5.6 answers
// `=` on a BLOB column wrongly (0 rows) when the file carries a Parquet bloom
// filter for it, which its own writer adds to dictionary-encoded columns.
// Range predicates use min/max statistics only and are correct.

import { join } from 'node:path';
import { bytesOfHex } from '../model/hex.js';
import { BadQueryError } from '../model/errors.js';
import { readParquetSql, type Engine, type Row } from '../engine/duckdb.js';
import { TraceBloom } from '../parts/trace-bloom.js';
import type { PartInfo } from '../parts/catalog.js';
import type { StagedFile } from '../head/head.js';

/** Parses a trace id in hex (Tempo also accepts ids shorter than 32 chars, left-padded). */
export function parseTraceId(hex: string): Uint8Array {
  const clean = hex.trim().toLowerCase();
  if (clean.length === 0 || clean.length > 32 || !/^[0-9a-f]+$/.test(clean)) {
    throw new BadQueryError(`trace lookup: "${hex}" is not a hex trace id of up to 32 characters`);
  }
  return bytesOfHex(clean.padStart(32, '0'))!;
}

/** Loaded bloom filters by part id; parts are immutable, so entries never go stale. */
export class BloomCache {
  private readonly blooms = new Map<string, Promise<TraceBloom>>();

  get(dataDir: string, part: PartInfo): Promise<TraceBloom> {
    let b = this.blooms.get(part.id);
    if (!b) {
      b = TraceBloom.read(join(dataDir, part.bloomPath));
      b.catch(() => this.blooms.delete(part.id));
      this.blooms.set(part.id, b);
    }
    return b;
  }

  /** Drops entries of parts no longer in the catalog. */
  retain(parts: readonly PartInfo[]): void {
    const live = new Set(parts.map((p) => p.id));
    for (const id of this.blooms.keys()) if (!live.has(id)) this.blooms.delete(id);
  }
}

/** Does the staging file hold a span of any of the traces? One pass over its ids. */
function stagedHoldsAny(file: StagedFile, ids: readonly Uint8Array[]): boolean {
  const have = file.traceIds;
  for (let off = 0; off < have.length; off += 16) {
    next: for (const id of ids) {
      for (let k = 0; k < 16; k++) if (have[off + k] !== id[k]) continue next;
      return true;
    }
  }
  return false;
}

export interface TraceLookupInput {
  dataDir: string;
  parts: readonly PartInfo[];
  staged: readonly StagedFile[];
}

/** Files that may hold any of the traces: bloom filters for parts, the ids themselves for staging files. */
export async function candidateFiles(input: TraceLookupInput, ids: readonly Uint8Array[], blooms: BloomCache): Promise<string[]> {
  const files: string[] = [];
  const checks = await Promise.all(input.parts.map((p) => blooms.get(input.dataDir, p).then((b) => ids.some((id) => b.mayContain(id)))));
  input.parts.forEach((p, i) => {
    if (checks[i]) files.push(join(input.dataDir, p.path));
  });
  for (const f of input.staged) if (stagedHoldsAny(f, ids)) files.push(f.path);
  return files;
}

/** Every span row of the trace (empty when unknown). */
export async function lookupTrace(engine: Engine, input: TraceLookupInput, id: Uint8Array, blooms: BloomCache): Promise<Row[]> {
  const files = await candidateFiles(input, [id], blooms);
  if (files.length === 0) return [];
  const hex = Buffer.from(id).toString('hex');
  return engine.all(
    `SELECT * FROM ${readParquetSql(files)} WHERE trace_id BETWEEN from_hex('${hex}') AND from_hex('${hex}')`,
  );
}
