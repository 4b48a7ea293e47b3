// The TraceQL box with completion: attribute keys where a condition starts,
// the key's values after `key =` (from Tempo's tag endpoints). Arrow keys
// move, Enter or Tab takes a suggestion, Escape closes the list; Enter with
// the list closed runs the search.

import { useEffect, useRef, useState } from 'preact/hooks';
import { fetchTagScopes, fetchTagValues } from '../../api/endpoints.js';
import type { ResolvedRange } from '../../time-range.js';
import { applyCompletion, completionContext, filterSuggestions, keySuggestions, valueLiteral, type CompletionContext, type Suggestion } from './traceql-complete.js';

let keysCache: Promise<Suggestion[]> | undefined;
const valuesCache = new Map<string, Promise<Suggestion[]>>();

function keys(): Promise<Suggestion[]> {
  keysCache ??= fetchTagScopes().then(
    (r) => keySuggestions(r.scopes),
    (err: unknown) => {
      keysCache = undefined;
      throw err;
    },
  );
  return keysCache;
}

function values(key: string, range: ResolvedRange): Promise<Suggestion[]> {
  // Values change slowly: cache per key and minute of the range.
  const cacheKey = `${key}:${Math.floor(range.startMs / 60_000)}:${Math.floor(range.endMs / 60_000)}`;
  let hit = valuesCache.get(cacheKey);
  if (!hit) {
    hit = fetchTagValues(key, range).then(
      (r) => r.tagValues.map((v) => ({ insert: valueLiteral(v.value, v.type), label: v.value, detail: v.type })),
      () => [],
    );
    valuesCache.set(cacheKey, hit);
  }
  return hit;
}

export interface TraceQLInputProps {
  value: string;
  onInput: (text: string) => void;
  onSubmit: () => void;
  range: ResolvedRange;
  testId?: string;
  placeholder?: string;
}

export function TraceQLInput({ value, onInput, onSubmit, range, testId, placeholder }: TraceQLInputProps) {
  const box = useRef<HTMLInputElement>(null);
  const [ctx, setCtx] = useState<CompletionContext | undefined>(undefined);
  const [items, setItems] = useState<Suggestion[]>([]);
  const [active, setActive] = useState(0);
  const [open, setOpen] = useState(false);
  const request = useRef(0);

  const refresh = (text: string, caret: number): void => {
    const c = completionContext(text, caret);
    setCtx(c);
    const mine = ++request.current;
    if (!c) {
      setItems([]);
      return;
    }
    const source = c.kind === 'key' ? keys() : values(c.key, range);
    source.then(
      (all) => {
        if (mine !== request.current) return;
        const prefix = c.kind === 'value' && !c.quoted ? c.prefix.replace(/^"/, '') : c.prefix;
        setItems(filterSuggestions(all, prefix));
        setActive(0);
      },
      () => mine === request.current && setItems([]),
    );
  };

  const take = (s: Suggestion): void => {
    if (!ctx) return;
    // After a key, go on to the operator and the value (unless an operator follows already).
    const rest = value.slice(ctx.to);
    const insert = ctx.kind === 'key' && !/^\s*(!=|=~|!~|>=|<=|=|>|<)/.test(rest) ? `${s.insert} = ` : s.insert;
    const next = applyCompletion(value, ctx, insert);
    onInput(next.text);
    requestAnimationFrame(() => {
      const el = box.current;
      if (!el) return;
      el.focus();
      el.setSelectionRange(next.caret, next.caret);
      refresh(next.text, next.caret);
    });
  };

  useEffect(() => {
    if (!open) setItems([]);
  }, [open]);

  const shown = open && items.length > 0;
  const listId = `${testId ?? 'traceql'}-suggestions`;
  return (
    <div class="combo">
      <input
        ref={box}
        class="code traceql-input"
        data-shortcut="search"
        data-testid={testId}
        role="combobox"
        aria-label="TraceQL query"
        aria-autocomplete="list"
        aria-expanded={shown}
        aria-controls={listId}
        aria-activedescendant={shown ? `${listId}-${active}` : undefined}
        autocomplete="off"
        spellcheck={false}
        placeholder={placeholder}
        value={value}
        onInput={(e) => {
          const el = e.currentTarget;
          onInput(el.value);
          setOpen(true);
          refresh(el.value, el.selectionStart ?? el.value.length);
        }}
        onFocus={(e) => {
          setOpen(true);
          refresh(e.currentTarget.value, e.currentTarget.selectionStart ?? 0);
        }}
        onClick={(e) => refresh(e.currentTarget.value, e.currentTarget.selectionStart ?? 0)}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
        onKeyDown={(e) => {
          if (shown && e.key === 'ArrowDown') {
            e.preventDefault();
            setActive((a) => (a + 1) % items.length);
          } else if (shown && e.key === 'ArrowUp') {
            e.preventDefault();
            setActive((a) => (a - 1 + items.length) % items.length);
          } else if (shown && (e.key === 'Enter' || e.key === 'Tab')) {
            e.preventDefault();
            take(items[active]!);
          } else if (e.key === 'Escape') {
            if (shown) e.stopPropagation();
            setOpen(false);
          } else if (e.key === 'Enter') {
            e.preventDefault();
            setOpen(false);
            onSubmit();
          }
        }}
      />
      {shown && (
        <ul class="combo-list" id={listId} role="listbox" data-testid={`${testId ?? 'traceql'}-suggestions`}>
          {items.map((s, i) => (
            <li
              key={s.label}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === active}
              class={i === active ? 'active' : undefined}
              onMouseDown={(e) => {
                e.preventDefault();
                take(s);
              }}
            >
              <span class="mono">{s.label}</span>
              {s.detail && <span class="muted combo-detail">{s.detail}</span>}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
