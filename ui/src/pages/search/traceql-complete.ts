// What to suggest at the caret of a TraceQL box: an attribute key where a
// condition starts, a value after `key =`. Pure: the input component fetches
// the keys and values and applies the choice.

export type CompletionContext =
  | { kind: 'key'; prefix: string; from: number; to: number }
  | { kind: 'value'; key: string; prefix: string; from: number; to: number; quoted: boolean };

const KEY_CHAR = /[\w.:\-/@]/;
const OPERATOR = /(!=|=~|!~|>=|<=|=|>|<)\s*$/;

/** The completion wanted at `caret`, or undefined (outside a spanset, after a value…). */
export function completionContext(text: string, caret: number): CompletionContext | undefined {
  const before = text.slice(0, caret);
  if (!insideSpanset(before)) return undefined;

  // Inside an open string: a value, possibly half typed.
  const quote = openQuote(before);
  if (quote !== undefined) {
    const key = keyBeforeOperator(before.slice(0, quote));
    if (key === undefined) return undefined;
    let to = caret;
    while (to < text.length && text[to] !== '"') to++;
    return { kind: 'value', key, prefix: before.slice(quote + 1), from: quote, to: to < text.length ? to + 1 : to, quoted: true };
  }

  let from = caret;
  while (from > 0 && KEY_CHAR.test(text[from - 1]!)) from--;
  let to = caret;
  while (to < text.length && KEY_CHAR.test(text[to]!)) to++;
  const prefix = text.slice(from, caret);
  const head = before.slice(0, from);

  const key = keyBeforeOperator(head);
  if (key !== undefined) return { kind: 'value', key, prefix, from, to, quoted: false };
  // A key starts a condition: after `{`, `(`, `&&`, `||`, `!`.
  if (/(^|[{(!]|&&|\|\|)\s*$/.test(head)) return { kind: 'key', prefix, from, to };
  return undefined;
}

/** The attribute name right before a trailing comparison operator in `head`. */
function keyBeforeOperator(head: string): string | undefined {
  const op = OPERATOR.exec(head);
  if (!op) return undefined;
  const left = head.slice(0, op.index).trimEnd();
  let start = left.length;
  while (start > 0 && KEY_CHAR.test(left[start - 1]!)) start--;
  const key = left.slice(start);
  return key === '' ? undefined : key;
}

/** True when the text before the caret has an unclosed `{` (outside strings). */
function insideSpanset(before: string): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < before.length; i++) {
    const c = before[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}') depth = Math.max(0, depth - 1);
  }
  return depth > 0;
}

/** Index of the `"` opening a string the caret is inside, or undefined. */
function openQuote(before: string): number | undefined {
  let open: number | undefined;
  for (let i = 0; i < before.length; i++) {
    const c = before[i];
    if (open !== undefined) {
      if (c === '\\') i++;
      else if (c === '"') open = undefined;
    } else if (c === '"') open = i;
  }
  return open;
}

export interface Suggestion {
  /** what is inserted */
  insert: string;
  /** what the list shows */
  label: string;
  detail?: string;
}

/** Suggestions whose label starts with the prefix first, then those containing it; at most `max`. */
export function filterSuggestions(items: readonly Suggestion[], prefix: string, max = 12): Suggestion[] {
  const p = prefix.toLowerCase();
  const starts: Suggestion[] = [];
  const contains: Suggestion[] = [];
  for (const s of items) {
    const l = s.label.toLowerCase();
    if (l === p && p !== '') continue;
    if (l.startsWith(p)) starts.push(s);
    else if (p !== '' && l.includes(p)) contains.push(s);
  }
  return [...starts, ...contains].slice(0, max);
}

/** Replaces the context's span with the choice; returns the new text and caret. */
export function applyCompletion(text: string, ctx: CompletionContext, insert: string): { text: string; caret: number } {
  const out = text.slice(0, ctx.from) + insert + text.slice(ctx.to);
  return { text: out, caret: ctx.from + insert.length };
}

/** A value as TraceQL spells it: strings quoted, numbers, booleans and keywords bare. */
export function valueLiteral(value: string, type: string): string {
  if (type === 'string') return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  return value;
}

/** Attribute keys of the tags answer, spelled as TraceQL reads them (`resource.x`, `span.x`, intrinsics bare). */
export function keySuggestions(scopes: readonly { name: string; tags: readonly string[] }[]): Suggestion[] {
  const out: Suggestion[] = [];
  for (const scope of scopes) {
    for (const tag of scope.tags) {
      if (scope.name === 'intrinsic') out.push({ insert: tag, label: tag, detail: 'intrinsic' });
      else out.push({ insert: `${scope.name}.${tag}`, label: `${scope.name}.${tag}`, detail: scope.name });
    }
  }
  return out;
}
