// Which physical columns hold a TraceQL attribute. An attribute key has one
// column per value type it was ever seen with (`span.x`, `span.x::int`, …), so
// a comparison looks only in the columns whose type can equal its literal, and
// only in columns that exist somewhere (src/parts/schema.ts). A span has at
// most one value per key, so at most one of those columns is non-NULL per row.

import { ValueType } from '../../model/span-batch.js';
import { attributeColumnName, type AttributeScope as StorageScope } from '../../parts/schema.js';
import type { ColumnCatalog } from './compile-sql.js';
import { quoteIdentifier, sqlAnyOf, sqlAtom, type Sql } from './sql-text.js';

/** How a stored value type compares with TraceQL literals. */
export type ValueFamily = 'string' | 'int' | 'double' | 'bool' | 'other';

export interface TypedColumn {
  family: ValueFamily;
  /** SQL of the column */
  column: string;
  /**
   * True for the hot `service_name` column, which holds '' rather than NULL
   * when the resource has no service.name.
   */
  emptyMeansMissing: boolean;
}

const FAMILY_OF_TYPE: ReadonlyArray<[ValueType, ValueFamily]> = [
  [ValueType.String, 'string'],
  [ValueType.Int, 'int'],
  [ValueType.Double, 'double'],
  [ValueType.Bool, 'bool'],
  [ValueType.Bytes, 'other'],
  [ValueType.Array, 'other'],
  [ValueType.KvList, 'other'],
  [ValueType.Empty, 'other'],
];

/** The columns of `scope.key` that exist, in FAMILY_OF_TYPE order. */
export function attributeColumns(scope: StorageScope, key: string, catalog: ColumnCatalog): TypedColumn[] {
  const found: TypedColumn[] = [];
  for (const [type, family] of FAMILY_OF_TYPE) {
    if (scope === 'resource' && key === 'service.name' && type === ValueType.String) {
      // denormalised into the hot column; there is no "resource.service.name" column
      found.push({ family, column: 'service_name', emptyMeansMissing: true });
      continue;
    }
    const name = attributeColumnName(scope, key, type);
    if (catalog.has(name)) found.push({ family, column: quoteIdentifier(name), emptyMeansMissing: false });
  }
  return found;
}

/** The attribute is present (with any type). FALSE when no column exists. */
export function attributeExists(columns: readonly TypedColumn[]): Sql {
  return sqlAnyOf(
    columns.map((c) => sqlAtom(c.emptyMeansMissing ? `${c.column} <> ''` : `${c.column} IS NOT NULL`, false)),
  );
}

/**
 * The column's value for a comparison, NULL when the attribute is missing.
 * `service_name = 'x'` with x non-empty needs no NULL-ing (and stays
 * pushdown-friendly); every other use of `service_name` does.
 */
export function columnValue(c: TypedColumn, op: string, literal: string): string {
  if (!c.emptyMeansMissing || (op === '=' && literal !== "''")) return c.column;
  return `nullif(${c.column}, '')`;
}
