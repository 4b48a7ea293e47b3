// The log views of user SQL, over every log part and staging file of a
// snapshot leased for the request:
//   logs                  one row per log record: the stored columns (docs/logs.md),
//                         plus `time` as TIMESTAMP_NS and hex ids
//   logs_expand_<field>   one row per element of the array field `<field>` of
//                         the records' bodies (`__` for a dot: logs_expand_order__items
//                         expands `order.items`), each key of an object element as a
//                         column `<field>.<key>` typed by what the elements hold
// (seed 003: Expand & Flatten at read time.)

import { join } from 'node:path';
import { readParquetSql, sqlIdent, sqlString } from '../../engine/duckdb.js';
import type { SignalSnapshot } from '../../store/signal-store.js';
import { DUCKDB_TYPE } from '../../parts/schema.js';
import { LOG_HOT_COLUMNS, bodyFieldColumnName } from '../../parts/log-columns.js';
import { withLogPartSql } from '../../parts/log-part-projection.js';
import { hasUnitColumns, lineFormColumns } from '../../parts/log-unit-columns.js';
import { lineFormRelation } from '../../parts/log-unit-join.js';
import { bodyPathSegment } from '../../receive/log-body-fields.js';
import { ValueType } from '../../model/span-batch.js';
import type { SqlView, SqlViewFamily, ViewScope } from './view-registry.js';

export interface LogFileSource {
  snapshot(): Promise<SignalSnapshot>;
}

interface LogFile {
  path: string;
  columns: readonly string[];
}

export const LOG_EXPAND_VIEW_PREFIX = 'logs_expand_';
/** Element keys offered as columns at most. */
const MAX_ELEMENT_KEYS = 200;

export class LogViews {
  constructor(private readonly source: LogFileSource) {}

  views(): SqlView[] {
    return [{ name: 'logs', description: 'one row per log record', selectSql: async (scope) => this.logsSql(await this.files(scope), scope.columnsRead) }];
  }

  expandFamily(): SqlViewFamily {
    return {
      prefix: LOG_EXPAND_VIEW_PREFIX,
      description: 'one row per element of an array field of log bodies (logs_expand_items, logs_expand_order__items)',
      view: (name) => ({
        name,
        description: `the elements of ${fieldOfView(name)}`,
        selectSql: async (scope) => this.expandSql(scope, fieldOfView(name)),
      }),
    };
  }

  private files(scope: ViewScope): Promise<LogFile[]> {
    return scope.shared(
      'log-files',
      async () => {
        const snap = await this.source.snapshot();
        const files: LogFile[] = [
          ...snap.parts.map((p) => ({ path: join(snap.dataDir, p.path), columns: p.columns })),
          ...snap.staged.map((f) => ({ path: f.path, columns: f.columns })),
        ];
        return { snap, files };
      },
      ({ snap }) => snap.release(),
    ).then((s) => s.files);
  }

  /** `columnsRead`: lower-cased names of the columns the statement reads (undefined: any); only those of them stored once per unit are joined back. */
  private relation(files: readonly LogFile[], columnsRead?: ReadonlySet<string>): string {
    if (files.length > 0) {
      // Files in line form in one read_parquet; each with unit columns (src/parts/log-unit-columns.ts) joined back by itself.
      const lineForm = files.filter((f) => !hasUnitColumns(f.columns));
      const relations = files
        .filter((f) => hasUnitColumns(f.columns))
        .map((f) => lineFormRelation(f.path, f.columns, columnsRead ? { reads: [...columnsRead].map(sqlIdent) } : {}))
        .map((r) => ({ sql: `SELECT * EXCLUDE (file_row_number) FROM ${r.sql}`, columns: r.columns }));
      if (lineForm.length > 0) relations.unshift({ sql: `SELECT * FROM ${readParquetSql(lineForm.map((f) => f.path))}`, columns: lineForm.flatMap((f) => [...f.columns]) });
      const union = relations.length === 1 ? `(${relations[0]!.sql})` : `(${relations.map((r) => r.sql).join(' UNION ALL BY NAME ')})`;
      return withLogPartSql(union, relations.flatMap((r) => r.columns));
    }
    return `(SELECT ${LOG_HOT_COLUMNS.map((c) => `CAST(NULL AS ${DUCKDB_TYPE[c.kind]}) AS ${sqlIdent(c.name)}`).join(', ')} LIMIT 0)`;
  }

  private logsSql(files: readonly LogFile[], columnsRead?: ReadonlySet<string>): string {
    return (
      `SELECT *, make_timestamp_ns(time_unix_nano) AS time, lower(hex(trace_id)) AS trace_id_hex, lower(hex(span_id)) AS span_id_hex ` +
      `FROM ${this.relation(files, columnsRead)}`
    );
  }

  private async expandSql(scope: ViewScope, field: string): Promise<string> {
    const column = bodyFieldColumnName(field.split('.').map(bodyPathSegment).join('.'), ValueType.Array);
    const files = (await this.files(scope)).filter((f) => lineFormColumns(f.columns).includes(column));
    if (files.length === 0) {
      return `SELECT *, CAST(NULL AS JSON) AS ${sqlIdent(field)} FROM (${this.logsSql([])}) LIMIT 0`;
    }
    const col = sqlIdent(column);
    const elements = `SELECT *, unnest(CAST(${col} AS JSON[])) AS __e FROM (${this.logsSql(files)}) WHERE ${col} IS NOT NULL`;
    const keys = await scope.conn.runAndReadAll(
      `SELECT k, list(DISTINCT json_type(__e -> k)) AS types FROM ` +
        `(SELECT unnest(json_keys(__e)) AS k, __e FROM (${elements}) WHERE json_type(__e) = 'OBJECT') GROUP BY k ORDER BY k LIMIT ${MAX_ELEMENT_KEYS}`,
    );
    const columns = [`CAST(__e AS VARCHAR) AS ${sqlIdent(`${field}[]`)}`];
    for (const row of keys.getRowObjectsJS()) {
      const key = String(row['k']);
      const types = new Set((row['types'] as string[]).filter((t) => t !== 'NULL'));
      columns.push(`${elementValueSql(key, types)} AS ${sqlIdent(`${field}.${key}`)}`);
    }
    return `SELECT * EXCLUDE (__e), ${columns.join(', ')} FROM (${elements})`;
  }
}

/** `logs_expand_order__items` → `order.items` */
function fieldOfView(name: string): string {
  return name.slice(LOG_EXPAND_VIEW_PREFIX.length).replaceAll('__', '.');
}

/** An element's key as one column, in the one type all its values share (JSON text otherwise). */
function elementValueSql(key: string, types: ReadonlySet<string>): string {
  const k = sqlString(key);
  const only = (...allowed: string[]): boolean => types.size > 0 && [...types].every((t) => allowed.includes(t));
  if (only('VARCHAR')) return `__e ->> ${k}`;
  if (only('BIGINT', 'UBIGINT')) return `CAST(__e ->> ${k} AS BIGINT)`;
  if (only('BIGINT', 'UBIGINT', 'DOUBLE')) return `CAST(__e ->> ${k} AS DOUBLE)`;
  if (only('BOOLEAN')) return `CAST(__e ->> ${k} AS BOOLEAN)`;
  return `CAST(__e -> ${k} AS VARCHAR)`;
}
