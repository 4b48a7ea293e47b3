// A log row as read from parts (a DuckDB row object) → the record as JSON for
// the API: the body and attribute values as plain JSON (maps as objects), a
// JSON-lines record rebuilt from its flattened fields exactly as it was sent.

import { hexOf } from '../../model/hex.js';
import { ValueType } from '../../model/span-batch.js';
import { splitTypedColumnName, unescapeAttributeKey } from '../../parts/schema.js';
import { anyValuePlain, splitBodyPath } from '../../receive/log-body-fields.js';
import type { LogRecordJson, Plain } from './log-record-types.js';
import { TIME_TEXT_SUFFIX, timeText } from '../../parts/log-time-text.js';
import { isStoredPiece } from '../../parts/log-part-projection.js';

export type { LogRecordJson, Plain };

/** Which part of a record a dynamic column holds. */
export type LogColumnRole =
  | { role: 'attribute'; owner: 'log' | 'resource' | 'scope'; key: string; type: ValueType }
  | { role: 'body'; type: ValueType }
  | { role: 'bodyField'; path: string; type: ValueType }
  /** a body field that is the record's time as text, stored as its fraction digits (parts/log-time-text.ts) */
  | { role: 'bodyTime'; path: string; type: typeof ValueType.Int };

/** Undefined for hot columns (other than `body`) and anything unknown. */
export function logColumnRole(column: string): LogColumnRole | undefined {
  // a template and its numbers, decimals: the projection gives the field under its own name
  if (isStoredPiece(column)) return undefined;
  if (column.startsWith('body.') && column.endsWith(TIME_TEXT_SUFFIX)) return { role: 'bodyTime', path: column.slice(5, -TIME_TEXT_SUFFIX.length), type: ValueType.Int };
  const { base, type } = splitTypedColumnName(column);
  if (base === 'body') return { role: 'body', type };
  const dot = base.indexOf('.');
  if (dot < 0) return undefined;
  const prefix = base.slice(0, dot);
  const rest = base.slice(dot + 1);
  if (prefix === 'body') return { role: 'bodyField', path: rest, type };
  if (prefix === 'log' || prefix === 'resource' || prefix === 'scope') return { role: 'attribute', owner: prefix, key: unescapeAttributeKey(rest), type };
  return undefined;
}

/** A stored value of `type` as plain JSON. `complex` says how arrays/maps are stored. */
function plainOf(v: unknown, type: ValueType, complex: 'otlp' | 'plain'): Plain {
  switch (type) {
    case ValueType.Int: {
      const n = v as bigint;
      return n >= -9007199254740991n && n <= 9007199254740991n ? Number(n) : n.toString();
    }
    case ValueType.Empty:
      return null;
    case ValueType.Array:
    case ValueType.KvList:
      return complex === 'otlp' ? (anyValuePlain(JSON.parse(v as string)) as Plain) : (JSON.parse(v as string) as Plain);
    default:
      return v as string | number | boolean;
  }
}

const EMPTY_SCOPE = (): LogRecordJson['scope'] => ({ name: '', version: '', attributes: {} });

/** Builds the record from a row's columns; `columns` lists the row's keys with their roles, computed once per query. */
export function logRecordOf(row: Record<string, unknown>, roles: ReadonlyMap<string, LogColumnRole>): LogRecordJson {
  const rec: LogRecordJson = {
    timeUnixNano: String(row['time_unix_nano']),
    observedTimeUnixNano: String(row['observed_time_unix_nano']),
    severityNumber: Number(row['severity_number'] ?? 0),
    severityText: (row['severity_text'] as string | null) ?? '',
    serviceName: (row['service_name'] as string | null) ?? '',
    stream: (row['stream'] as string | null) ?? '',
    body: null,
    attributes: {},
    resource: {},
    scope: { ...EMPTY_SCOPE(), name: (row['scope_name'] as string | null) ?? '', version: (row['scope_version'] as string | null) ?? '' },
    traceId: row['trace_id'] ? hexOf(row['trace_id'] as Uint8Array, 0, 16) : '',
    spanId: row['span_id'] ? hexOf(row['span_id'] as Uint8Array, 0, 8) : '',
    flags: Number(row['flags'] ?? 0),
    eventName: (row['event_name'] as string | null) ?? '',
  };
  if (rec.serviceName !== '') rec.resource['service.name'] = rec.serviceName;
  let fields: { [key: string]: Plain } | undefined;
  let bodySet = false;
  for (const [column, role] of roles) {
    const v = row[column];
    if (v === null || v === undefined) continue;
    switch (role.role) {
      case 'body':
        rec.body = plainOf(v, role.type, 'otlp');
        bodySet = true;
        break;
      case 'bodyField':
        fields ??= {};
        setPath(fields, splitBodyPath(role.path), plainOf(v, role.type, 'plain'));
        break;
      case 'bodyTime':
        fields ??= {};
        setPath(fields, splitBodyPath(role.path), timeText(BigInt(row['time_unix_nano'] as bigint), Number(v)) ?? null);
        break;
      case 'attribute': {
        const target = role.owner === 'log' ? rec.attributes : role.owner === 'resource' ? rec.resource : rec.scope.attributes;
        target[role.key] = plainOf(v, role.type, 'otlp');
        break;
      }
    }
  }
  // A map body is stored whole (body::kvlist) and as fields; a JSON-lines record only as fields.
  if (!bodySet && fields) rec.body = fields;
  return rec;
}

function setPath(root: { [key: string]: Plain }, keys: readonly string[], value: Plain): void {
  let o = root;
  for (let i = 0; i < keys.length - 1; i++) {
    const k = keys[i]!;
    let next = o[k];
    if (next === undefined || next === null || typeof next !== 'object' || Array.isArray(next)) {
      next = {};
      o[k] = next;
    }
    o = next;
  }
  o[keys[keys.length - 1]!] = value;
}

/** Roles of a query's result columns, once per query. */
export function logColumnRoles(columns: Iterable<string>): Map<string, LogColumnRole> {
  const roles = new Map<string, LogColumnRole>();
  for (const c of columns) {
    const r = logColumnRole(c);
    if (r) roles.set(c, r);
  }
  return roles;
}
