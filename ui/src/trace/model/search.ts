// Search within a trace. The query is whitespace-separated terms ("quoted"
// terms may hold spaces), all of which must match a span:
//   checkout      substring of the name, service, span id, an attribute key or
//                 value (span, resource, scope, events), scope name, event
//                 name, or status message — case-insensitive
//   key=value     an attribute named `key` whose value contains `value`; also
//                 the span's own fields: status=error, kind=server,
//                 service=cart, name=charge
//   key=          the span has attribute `key`
// The lower-cased text of a trace is indexed once, on the first search.

import { SPAN_KIND_NAMES, STATUS_NAMES, type Trace, type TraceSpan } from './trace-model.js';

interface SpanText {
  /** everything a plain term may match, each field lower-cased */
  readonly fields: readonly string[];
  /** lower-cased [key, value] of span, resource, scope and event attributes */
  readonly pairs: readonly (readonly [string, string])[];
}

export interface SearchTerm {
  readonly text: string;
  /** set for key=value terms */
  readonly key?: string;
}

const indexes = new WeakMap<Trace, SpanText[]>();
/** status, kind, service, name: matched by key=value only, never by a bare word */
const INTRINSIC_PAIRS = 4;

function spanText(s: TraceSpan): SpanText {
  const pairs: [string, string][] = [
    ['status', STATUS_NAMES[s.statusCode] ?? String(s.statusCode)],
    ['kind', SPAN_KIND_NAMES[s.kind] ?? String(s.kind)],
    ['service', s.service.toLowerCase()],
    ['name', s.name.toLowerCase()],
  ];
  for (const list of [s.attributes, s.resource.attributes, s.scope.attributes, ...s.events.map((e) => e.attributes)]) {
    for (const a of list) pairs.push([a.key.toLowerCase(), a.value.toLowerCase()]);
  }
  const fields = [s.name, s.service, s.spanId, s.scope.name, s.statusMessage, ...s.events.map((e) => e.name)].map((f) => f.toLowerCase());
  for (const [k, v] of pairs.slice(INTRINSIC_PAIRS)) fields.push(k, v);
  return { fields, pairs };
}

function indexOf(trace: Trace): SpanText[] {
  let index = indexes.get(trace);
  if (!index) {
    index = trace.spans.map(spanText);
    indexes.set(trace, index);
  }
  return index;
}

export function parseSearch(query: string): SearchTerm[] {
  const terms: SearchTerm[] = [];
  // key="quoted value" | "quoted phrase" | word | key=value
  for (const m of query.matchAll(/(?:([^\s"=]+)=)?"([^"]*)"|(\S+)/g)) {
    if (m[2] !== undefined) {
      const text = m[2].toLowerCase();
      if (m[1] !== undefined) terms.push({ key: m[1].toLowerCase(), text });
      else if (text !== '') terms.push({ text });
      continue;
    }
    const raw = m[3]!.toLowerCase();
    const eq = raw.indexOf('=');
    terms.push(eq > 0 ? { key: raw.slice(0, eq), text: raw.slice(eq + 1) } : { text: raw });
  }
  return terms;
}

function termMatches(t: SpanText, term: SearchTerm): boolean {
  if (term.key !== undefined) return t.pairs.some(([k, v]) => k === term.key && v.includes(term.text));
  return t.fields.some((f) => f.includes(term.text));
}

/** Indexes of matching spans, in `trace.spans` order; empty for an empty query. */
export function searchTrace(trace: Trace, query: string): Int32Array {
  const terms = parseSearch(query);
  if (terms.length === 0) return new Int32Array(0);
  const index = indexOf(trace);
  const out = new Int32Array(trace.spans.length);
  let count = 0;
  for (let i = 0; i < index.length; i++) {
    const t = index[i]!;
    if (terms.every((term) => termMatches(t, term))) out[count++] = i;
  }
  return out.subarray(0, count);
}

/** Matches in row order (for next/previous), given each span's depth-first position. */
export function matchesInRowOrder(matches: Int32Array, positionOf: Int32Array): Int32Array {
  return Int32Array.from(matches).sort((a, b) => positionOf[a]! - positionOf[b]!);
}

/** The match after (or before, step −1) the span at `fromPosition`, wrapping around. */
export function stepMatch(ordered: Int32Array, positionOf: Int32Array, fromPosition: number, step: 1 | -1): number | undefined {
  if (ordered.length === 0) return undefined;
  if (step === 1) {
    for (const m of ordered) if (positionOf[m]! > fromPosition) return m;
    return ordered[0];
  }
  for (let k = ordered.length - 1; k >= 0; k--) if (positionOf[ordered[k]!]! < fromPosition) return ordered[k];
  return ordered[ordered.length - 1];
}
