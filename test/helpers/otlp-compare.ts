// Comparing OTLP/JSON trees the way the protocol means them: attribute lists
// are unordered, fields at their default value are the same as absent, and
// spans may be grouped under resources and scopes in any order.

const ANY_VALUE_KEYS = new Set(['value', 'stringValue', 'intValue', 'doubleValue', 'boolValue', 'bytesValue', 'arrayValue', 'kvlistValue']);

function isDefault(v: unknown): boolean {
  if (v === 0 || v === '' || v === null || v === undefined) return true;
  if (Array.isArray(v)) return v.length === 0;
  return typeof v === 'object' && Object.keys(v as object).length === 0;
}

/**
 * Keys sorted, defaults dropped (except AnyValue positions, where `{}` is the
 * empty value), `attributes` lists sorted by key. kvlist values keep their order.
 */
export function normalizeOtlp(v: unknown, key = ''): unknown {
  if (Array.isArray(v)) {
    const items = v.map((x) => normalizeOtlp(x));
    if (key === 'attributes') items.sort((a, b) => String((a as { key: string }).key).localeCompare(String((b as { key: string }).key)));
    return items;
  }
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = normalizeOtlp((v as Record<string, unknown>)[k], k);
      if (!ANY_VALUE_KEYS.has(k) && isDefault(x)) continue;
      out[k] = x;
    }
    return out;
  }
  return v;
}

export interface FlatSpan {
  resource: unknown;
  resourceSchemaUrl: unknown;
  scope: unknown;
  scopeSchemaUrl: unknown;
  span: unknown;
}

/** ResourceSpans[] → span id → the span with its resource and scope, all normalized. */
export function flattenResourceSpans(resourceSpans: readonly any[]): Map<string, FlatSpan> {
  const out = new Map<string, FlatSpan>();
  for (const rs of resourceSpans) {
    for (const ss of rs.scopeSpans ?? []) {
      for (const span of ss.spans ?? []) {
        out.set(String(span.spanId).toLowerCase(), {
          resource: normalizeOtlp(rs.resource ?? {}),
          resourceSchemaUrl: rs.schemaUrl ?? '',
          scope: normalizeOtlp(ss.scope ?? {}),
          scopeSchemaUrl: ss.schemaUrl ?? '',
          span: normalizeOtlp(span),
        });
      }
    }
  }
  return out;
}
