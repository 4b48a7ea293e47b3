// What to suggest at the cursor of a PromQL query, and how a pick changes the
// text. Pure (no DOM): the page feeds it metric names, label names and values
// from the Prometheus API.
//
//   rate(node_cpu|              metric (or function) name, prefix "node_cpu"
//   up{jo|                      label name of `up`, prefix "jo"
//   up{job="no|                 label value of `job` of `up`, prefix "no"
//   sum by (ins|                label name (grouping), prefix "ins"

export type CompletionContext =
  | { kind: 'metric'; prefix: string; from: number; to: number }
  | { kind: 'labelName'; prefix: string; from: number; to: number; metric: string | undefined; inSelector: boolean }
  | { kind: 'labelValue'; prefix: string; from: number; to: number; metric: string | undefined; label: string; quote: string };

const NAME_CHAR = /[a-zA-Z0-9_:]/;
const GROUPING_WORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);

/** The identifier that ends at `end` (exclusive), as [start, text]. */
function identifierBefore(text: string, end: number): [number, string] {
  let start = end;
  while (start > 0 && NAME_CHAR.test(text[start - 1]!)) start--;
  return [start, text.slice(start, end)];
}

/** Index of the unclosed opening bracket `open` before `pos` (brackets in strings skipped), or -1. */
function unclosed(text: string, pos: number, open: string, close: string): number {
  const stack: number[] = [];
  let quote = '';
  for (let i = 0; i < pos; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
      continue;
    }
    if (c === '"' || c === "'" || c === '`') quote = c;
    else if (c === open) stack.push(i);
    else if (c === close) stack.pop();
  }
  return stack.length > 0 ? stack[stack.length - 1]! : -1;
}

/** The open string quote at `pos` and where its text starts, if the cursor is inside one. */
function openString(text: string, pos: number): { quote: string; start: number } | undefined {
  let quote = '';
  let start = 0;
  for (let i = 0; i < pos; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'" || c === '`') {
      quote = c;
      start = i + 1;
    }
  }
  return quote ? { quote, start } : undefined;
}

export function completionContext(text: string, pos: number): CompletionContext | undefined {
  const brace = unclosed(text, pos, '{', '}');
  if (brace >= 0) {
    const metric = identifierBefore(text, brace)[1] || undefined;
    const str = openString(text, pos);
    if (str) {
      // name op "…: the label is the identifier before the operator.
      const before = text.slice(brace + 1, str.start - 1);
      const m = /([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*$/.exec(before);
      if (!m) return undefined;
      let to = pos;
      while (to < text.length && text[to] !== str.quote) to++;
      return { kind: 'labelValue', prefix: text.slice(str.start, pos), from: str.start, to, metric, label: m[1]!, quote: str.quote };
    }
    const [start, prefix] = identifierBefore(text, pos);
    const lead = text.slice(brace + 1, start).trimEnd();
    if (lead === '' || lead.endsWith(',')) return { kind: 'labelName', prefix, from: start, to: identifierEnd(text, pos), metric, inSelector: true };
    return undefined;
  }
  if (openString(text, pos)) return undefined;
  const paren = unclosed(text, pos, '(', ')');
  const [start, prefix] = identifierBefore(text, pos);
  if (paren >= 0) {
    const word = identifierBefore(text, text.slice(0, paren).trimEnd().length)[1].toLowerCase();
    const lead = text.slice(paren + 1, start).trimEnd();
    if (GROUPING_WORDS.has(word) && (lead === '' || lead.endsWith(','))) return { kind: 'labelName', prefix, from: start, to: identifierEnd(text, pos), metric: undefined, inSelector: false };
  }
  if (prefix === '' || /^[0-9]/.test(prefix)) return undefined;
  return { kind: 'metric', prefix, from: start, to: identifierEnd(text, pos) };
}

function identifierEnd(text: string, pos: number): number {
  let end = pos;
  while (end < text.length && NAME_CHAR.test(text[end]!)) end++;
  return end;
}

/** Candidates starting with the prefix first, then containing it (case-insensitive), each group in order; at most `limit`. */
export function rankSuggestions(candidates: readonly string[], prefix: string, limit: number): string[] {
  const p = prefix.toLowerCase();
  const starts: string[] = [];
  const contains: string[] = [];
  for (const c of candidates) {
    const l = c.toLowerCase();
    if (l === p) continue;
    if (l.startsWith(p)) starts.push(c);
    else if (p !== '' && l.includes(p)) contains.push(c);
  }
  return [...starts, ...contains].slice(0, limit);
}

/** The text after picking `value` in `ctx`, and where the cursor goes. */
export function applyCompletion(text: string, ctx: CompletionContext, value: string): { text: string; cursor: number } {
  if (ctx.kind === 'labelValue') {
    const escaped = ctx.quote === '`' ? value : value.replace(/\\/g, '\\\\').replace(new RegExp(ctx.quote, 'g'), `\\${ctx.quote}`);
    const closed = text[ctx.to] === ctx.quote;
    const next = text.slice(0, ctx.from) + escaped + ctx.quote + text.slice(closed ? ctx.to + 1 : ctx.to);
    return { text: next, cursor: ctx.from + escaped.length + 1 };
  }
  // A label name picked inside a selector gets `="…"` with the cursor between the quotes, ready for its value.
  if (ctx.kind === 'labelName' && ctx.inSelector && !/^\s*[=!]/.test(text.slice(ctx.to))) {
    const next = `${text.slice(0, ctx.from)}${value}=""${text.slice(ctx.to)}`;
    return { text: next, cursor: ctx.from + value.length + 2 };
  }
  const next = text.slice(0, ctx.from) + value + text.slice(ctx.to);
  return { text: next, cursor: ctx.from + value.length };
}
