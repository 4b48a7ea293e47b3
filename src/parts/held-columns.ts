// Columns a builder in the flush's regrouping worker keeps while the worker
// writes a run column by column (trace summaries, rollups): the ones it
// names, in the kind it expects, until the run's columns have all passed.

import type { ParquetColumn } from './parquet/writer.js';

export class HeldColumns<Names extends string> {
  private readonly runs: Partial<Record<Names, ParquetColumn>>[];

  constructor(
    runCount: number,
    /** each column kept, by name, and the kind it must have */
    private readonly kinds: Readonly<Record<Names, ParquetColumn['kind']>>,
    /** names that may be missing from a run */
    private readonly optional: readonly Names[] = [],
  ) {
    this.runs = Array.from({ length: runCount }, () => ({}));
  }

  /** One column of run `r`: kept when named and of the expected kind. */
  add(r: number, column: ParquetColumn): void {
    const name = column.name as Names;
    if (Object.hasOwn(this.kinds, name) && this.kinds[name] === column.kind) this.runs[r]![name] = column;
  }

  /** Whether a column of this name is kept (its arrays read after the columns that follow it). */
  keeps(name: string): boolean {
    return Object.hasOwn(this.kinds, name);
  }

  /** Run `r`'s columns, let go of; undefined when a column that is not optional never came. */
  take(r: number): Partial<Record<Names, ParquetColumn>> | undefined {
    const held = this.runs[r]!;
    this.runs[r] = {};
    for (const name of Object.keys(this.kinds) as Names[]) if (held[name] === undefined && !this.optional.includes(name)) return undefined;
    return held;
  }

  get runCount(): number {
    return this.runs.length;
  }
}
