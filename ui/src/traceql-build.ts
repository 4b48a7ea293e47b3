// Builds TraceQL filters from what people click: an operation, a compared
// attribute value, a brushed duration region. Conditions are merged into the
// query's one spanset when it has one (`{ a } + b` → `{ (a) && b }`), so the
// result still selects spans, not traces. Pure.

/** A TraceQL string literal. */
export function traceqlString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\t/g, '\\t')}"`;
}

/** `attr = "value"`, unquoted for intrinsics whose values are keywords (status, kind). */
export function equalsCondition(attr: string, value: string): string {
  if ((attr === 'status' && /^(error|ok|unset)$/.test(value)) || (attr === 'kind' && /^(unspecified|internal|server|client|producer|consumer)$/.test(value))) {
    return `${attr} = ${value}`;
  }
  return `${attr} = ${traceqlString(value)}`;
}

/** A duration literal in whole microseconds or more, e.g. `1250ms`, `12.5ms`, `800us`. */
export function durationLiteral(ms: number): string {
  if (ms >= 1000 && Number.isInteger(ms / 1000)) return `${ms / 1000}s`;
  if (ms >= 1) return `${Math.round(ms * 1000) / 1000}ms`;
  return `${Math.max(1, Math.round(ms * 1000))}us`;
}

/** `duration >= X && duration < Y` for a brushed region (either bound optional). */
export function durationConditions(minMs: number | undefined, maxMs: number | undefined): string[] {
  const out: string[] = [];
  if (minMs !== undefined) out.push(`duration >= ${durationLiteral(minMs)}`);
  if (maxMs !== undefined) out.push(`duration < ${durationLiteral(maxMs)}`);
  return out;
}

/**
 * The inside of the query's single spanset `{ … }`, '' for `{}`/empty,
 * or undefined when the query is more than one spanset (then conditions are
 * joined as a second spanset).
 */
export function spansetBody(query: string): string | undefined {
  const q = query.trim();
  if (q === '' || /^\{\s*\}$/.test(q)) return '';
  if (!q.startsWith('{') || !q.endsWith('}')) return undefined;
  let depth = 0;
  let quote = false;
  for (let i = 0; i < q.length; i++) {
    const c = q[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === '"') quote = false;
      continue;
    }
    if (c === '"') quote = true;
    else if (c === '{') depth++;
    else if (c === '}') {
      depth--;
      if (depth === 0 && i !== q.length - 1) return undefined;
    }
  }
  return q.slice(1, -1).trim();
}

/** The query with every condition added (AND). */
export function addConditions(query: string, conditions: readonly string[]): string {
  if (conditions.length === 0) return query.trim() === '' ? '{}' : query;
  const body = spansetBody(query);
  const added = conditions.join(' && ');
  if (body === '') return `{ ${added} }`;
  if (body !== undefined) {
    const inner = /\|\|/.test(body) ? `(${body})` : body;
    return `{ ${inner} && ${added} }`;
  }
  return `(${query.trim()}) && { ${added} }`;
}

/** The filter selecting one operation's spans. */
export function operationFilter(service: string, operation?: string): string {
  const conds = [equalsCondition('resource.service.name', service)];
  if (operation !== undefined) conds.push(equalsCondition('name', operation));
  return `{ ${conds.join(' && ')} }`;
}
