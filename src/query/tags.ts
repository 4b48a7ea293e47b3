// Attribute keys and values for autocompletion (Tempo's /api/search/tags and
// /tag/{name}/values). Keys come from the catalog's column lists without
// opening a file; values are one DISTINCT scan of the matching columns.

import { ValueType } from '../model/span-batch.js';
import { BadQueryError } from '../model/errors.js';
import { parseAttributeColumnName, type AttributeScope } from '../parts/schema.js';
import { readParquetSql, sqlIdent, type Engine } from '../engine/duckdb.js';

export const INTRINSIC_TAGS = ['duration', 'event:name', 'kind', 'name', 'rootName', 'rootServiceName', 'span:id', 'status', 'statusMessage', 'trace:id', 'traceDuration'];

const KIND_NAMES = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
const STATUS_NAMES = ['unset', 'ok', 'error'];

export type TagScope = 'span' | 'resource' | 'instrumentation';

const STORAGE_SCOPE: Record<TagScope, AttributeScope> = { span: 'span', resource: 'resource', instrumentation: 'scope' };

/** Attribute keys per TraceQL scope, from column names. */
export function tagNames(columns: Iterable<string>): Record<TagScope, string[]> {
  const sets: Record<TagScope, Set<string>> = { span: new Set(), resource: new Set(['service.name']), instrumentation: new Set() };
  for (const c of columns) {
    const ref = parseAttributeColumnName(c);
    if (!ref) continue;
    const scope: TagScope = ref.scope === 'scope' ? 'instrumentation' : ref.scope;
    sets[scope].add(ref.key);
  }
  return {
    span: [...sets.span].sort(),
    resource: [...sets.resource].sort(),
    instrumentation: [...sets.instrumentation].sort(),
  };
}

export interface TagValue {
  type: 'string' | 'int' | 'float' | 'bool' | 'keyword' | 'duration';
  value: string;
}

const TYPE_NAME: Partial<Record<ValueType, TagValue['type']>> = {
  [ValueType.String]: 'string',
  [ValueType.Int]: 'int',
  [ValueType.Double]: 'float',
  [ValueType.Bool]: 'bool',
};

/** Parses `span.http.route`, `resource.service.name`, `.foo`, `name`, `status`. */
export function parseTagRef(tag: string): { scope: TagScope | 'any' | 'intrinsic'; key: string } {
  for (const scope of ['span', 'resource', 'instrumentation'] as const) {
    if (tag.startsWith(`${scope}.`)) return { scope, key: tag.slice(scope.length + 1) };
  }
  if (tag.startsWith('.')) return { scope: 'any', key: tag.slice(1) };
  if (INTRINSIC_TAGS.includes(tag) || tag.startsWith('span:') || tag.startsWith('trace:')) return { scope: 'intrinsic', key: tag };
  return { scope: 'any', key: tag };
}

export async function tagValues(engine: Engine, files: readonly string[], columns: ReadonlySet<string>, tag: string, limit = 1000): Promise<TagValue[]> {
  const ref = parseTagRef(tag);
  if (ref.scope === 'intrinsic') {
    const key = ref.key.replace(/^span:/, '');
    if (key === 'kind') return KIND_NAMES.map((value) => ({ type: 'keyword', value }));
    if (key === 'status') return STATUS_NAMES.map((value) => ({ type: 'keyword', value }));
    if (key === 'name' || key === 'statusMessage') {
      return distinct(engine, files, [{ column: key === 'name' ? 'name' : 'status_message', type: 'string' }], limit);
    }
    if (key === 'rootServiceName') return distinct(engine, files, [{ column: 'service_name', type: 'string', where: 'parent_span_id IS NULL' }], limit);
    if (key === 'rootName') return distinct(engine, files, [{ column: 'name', type: 'string', where: 'parent_span_id IS NULL' }], limit);
    throw new BadQueryError(`tags: no values are listed for intrinsic "${tag}"`);
  }
  const sources: { column: string; type: TagValue['type'] }[] = [];
  if (ref.key === 'service.name' && (ref.scope === 'resource' || ref.scope === 'any')) sources.push({ column: 'service_name', type: 'string' });
  for (const c of columns) {
    const p = parseAttributeColumnName(c);
    if (!p || p.key !== ref.key) continue;
    if (ref.scope !== 'any' && STORAGE_SCOPE[ref.scope] !== p.scope) continue;
    const type = TYPE_NAME[p.type];
    if (type) sources.push({ column: c, type });
  }
  return distinct(engine, files, sources, limit);
}

async function distinct(
  engine: Engine,
  files: readonly string[],
  sources: readonly { column: string; type: TagValue['type']; where?: string }[],
  limit: number,
): Promise<TagValue[]> {
  if (files.length === 0 || sources.length === 0) return [];
  const from = readParquetSql(files);
  const parts = sources.map(
    (s, i) =>
      `SELECT DISTINCT ${i} AS src, CAST(${sqlIdent(s.column)} AS VARCHAR) AS v FROM ${from} ` +
      `WHERE ${sqlIdent(s.column)} IS NOT NULL${s.where ? ` AND ${s.where}` : ''}`,
  );
  const rows = await engine.all(`SELECT src, v FROM (${parts.join(' UNION ALL ')}) ORDER BY v LIMIT ${Math.floor(limit)}`);
  return rows.map((r) => ({ type: sources[Number(r['src'])]!.type, value: String(r['v']) }));
}
