// Expand & Flatten at read time through the API (seed 003): one row per
// element of an array field of the matching records' bodies, each key of an
// object element a flat field `<field>.<key>`, filtered by conditions on those
// fields inside DuckDB, newest first. The SQL views do the same for user SQL
// (src/query/sql/log-views.ts).

import { sqlIdent, sqlString, type Engine } from '../../engine/duckdb.js';
import { BadQueryError } from '../../model/errors.js';
import { ValueType } from '../../model/span-batch.js';
import { bodyFieldColumnName } from '../../parts/log-columns.js';
import { LOG_TIME_COLUMN } from '../../parts/log-columns.js';
import { bodyPathSegment } from '../../receive/log-body-fields.js';
import type { FieldCondition, LogQuery } from './log-query.js';
import { planLogScan, unitSourceSql, unitWhereSql, type LogSearchInput } from './log-search.js';

export interface ExpandRequest {
  /** dotted path of the array field in the bodies, e.g. `items` or `order.items` */
  field: string;
  /** which records */
  query: LogQuery;
  /** conditions on the elements' keys (`qty > 2` or `items.qty > 2`) */
  where: readonly FieldCondition[];
  startNs?: bigint;
  endNs?: bigint;
  limit: number;
}

export interface ExpandedRow {
  timeUnixNano: string;
  serviceName: string;
  stream: string;
  /** 0-based position of the element in its array */
  index: number;
  /** the element's keys as `<field>.<key>`, or `<field>[]` for an element that is not an object */
  fields: Record<string, unknown>;
}

function elementConditionSql(field: string, c: FieldCondition): string {
  const key = c.field.startsWith(`${field}.`) ? c.field.slice(field.length + 1) : c.field;
  const value = `__e ->> ${sqlString(key)}`;
  const numeric = typeof c.value === 'number';
  switch (c.op) {
    case '=~':
      return `coalesce(regexp_full_match(${value}, ${sqlString(String(c.value))}), false)`;
    case '!~':
      return `coalesce(NOT regexp_full_match(${value}, ${sqlString(String(c.value))}), true)`;
    case '!=':
      return numeric ? `coalesce(TRY_CAST(${value} AS DOUBLE) <> ${c.value}, true)` : `coalesce(${value} <> ${sqlString(String(c.value))}, true)`;
    default: {
      const op = c.op === '=' ? '=' : c.op;
      return numeric ? `coalesce(TRY_CAST(${value} AS DOUBLE) ${op} ${c.value}, false)` : `coalesce(${value} ${op} ${sqlString(String(c.value))}, false)`;
    }
  }
}

export async function expandLogs(engine: Engine, input: LogSearchInput, req: ExpandRequest): Promise<{ rows: ExpandedRow[] }> {
  if (!/^[^.\s][^\s]*$/.test(req.field)) throw new BadQueryError(`logs: expand field "${req.field}" must be a dotted path like items or order.items`);
  const column = bodyFieldColumnName(req.field.split('.').map(bodyPathSegment).join('.'), ValueType.Array);
  const plan = await planLogScan(input, req);
  const units = plan.units.filter((u) => u.columns.has(column));
  if (units.length === 0) return { rows: [] };
  const col = sqlIdent(column);
  const inner = units
    .map((u) => {
      const select = `${LOG_TIME_COLUMN}, service_name, stream, ${col} AS __a`;
      const where = `${col} IS NOT NULL AND ${unitWhereSql(u, req)}`;
      return `SELECT ${select} FROM ${unitSourceSql(u, [select, where])} WHERE ${where}`;
    })
    .join(' UNION ALL ');
  const elements = `SELECT ${LOG_TIME_COLUMN}, service_name, stream, unnest(CAST(__a AS JSON[])) AS __e, unnest(range(CAST(json_array_length(__a) AS BIGINT))) AS __i FROM (${inner})`;
  const where = req.where.map((c) => elementConditionSql(req.field, c));
  const sql =
    `SELECT ${LOG_TIME_COLUMN}, service_name, stream, __i, CAST(__e AS VARCHAR) AS e FROM (${elements})` +
    (where.length ? ` WHERE ${where.join(' AND ')}` : '') +
    ` ORDER BY ${LOG_TIME_COLUMN} DESC, __i LIMIT ${req.limit}`;
  const rows = await engine.all(sql);
  return {
    rows: rows.map((r) => {
      const element = JSON.parse(String(r['e'])) as unknown;
      const fields: Record<string, unknown> = {};
      if (element !== null && typeof element === 'object' && !Array.isArray(element)) {
        for (const [k, v] of Object.entries(element)) fields[`${req.field}.${k}`] = v;
      } else fields[`${req.field}[]`] = element;
      return { timeUnixNano: String(r[LOG_TIME_COLUMN]), serviceName: String(r['service_name']), stream: String(r['stream']), index: Number(r['__i']), fields };
    }),
  };
}
