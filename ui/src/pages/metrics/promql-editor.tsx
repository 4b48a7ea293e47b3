// The PromQL box: a textarea with suggestions at the cursor (metric and
// function names, label names of the selector's metric, values of a label),
// fetched from the Prometheus API and cached per key. Enter runs the query
// (Shift+Enter: new line); with suggestions open, ↑/↓ choose and Enter/Tab pick.

import { useRef, useState } from 'preact/hooks';
import { promLabelNames, promLabelValues } from '../../api/endpoints.js';
import type { ResolvedRange } from '../../time-range.js';
import { AGGREGATORS, FUNCTIONS } from '../../../../src/tsdb/promql/functions.js';
import { applyCompletion, completionContext, rankSuggestions, type CompletionContext } from './promql-complete.js';

const MAX_SUGGESTIONS = 12;
const FUNCTION_NAMES = [...AGGREGATORS.keys(), ...FUNCTIONS.keys()].sort();

export interface PromqlEditorProps {
  value: string;
  onChange: (text: string) => void;
  onRun: () => void;
  metricNames: readonly string[];
  range: ResolvedRange;
}

export function PromqlEditor({ value, onChange, onRun, metricNames, range }: PromqlEditorProps) {
  const box = useRef<HTMLTextAreaElement>(null);
  const cache = useRef(new Map<string, Promise<string[]>>());
  const [ctx, setCtx] = useState<CompletionContext | undefined>(undefined);
  const [items, setItems] = useState<string[]>([]);
  const [active, setActive] = useState(0);
  const cached = (key: string, load: () => Promise<string[]>): Promise<string[]> => {
    let p = cache.current.get(key);
    if (!p) {
      p = load().catch(() => []);
      cache.current.set(key, p);
    }
    return p;
  };

  const candidates = (c: CompletionContext): Promise<string[]> => {
    switch (c.kind) {
      case 'metric':
        return Promise.resolve([...metricNames, ...FUNCTION_NAMES]);
      case 'labelName':
        return cached(`names:${c.metric ?? ''}`, () => promLabelNames(c.metric, range)).then((names) => names.filter((n) => n !== '__name__'));
      case 'labelValue':
        return cached(`values:${c.metric ?? ''}:${c.label}`, () => promLabelValues(c.label, c.metric, range));
    }
  };

  const suggest = (text: string, pos: number): void => {
    const next = completionContext(text, pos);
    setCtx(next);
    setActive(0);
    if (!next) {
      setItems([]);
      return;
    }
    void candidates(next).then((list) => {
      // Only if the cursor is still where it was asked.
      if (box.current?.selectionStart !== pos) return;
      setItems(rankSuggestions(list, next.prefix, MAX_SUGGESTIONS));
    });
  };

  const pick = (item: string): void => {
    if (!ctx) return;
    const done = applyCompletion(value, ctx, item);
    // Text and cursor change together, now: a keystroke right after the pick must land at the new cursor.
    const el = box.current;
    if (el) {
      el.value = done.text;
      el.setSelectionRange(done.cursor, done.cursor);
      el.focus();
    }
    onChange(done.text);
    setItems([]);
    setCtx(undefined);
    // A label name picked in a selector opens its value: suggest values right away.
    if (ctx.kind === 'labelName' && ctx.inSelector) suggest(done.text, done.cursor);
  };

  const open = items.length > 0;
  return (
    <div class="combo promql-editor">
      <textarea
        ref={box}
        class="code promql-input"
        data-shortcut="search"
        data-testid="promql-input"
        aria-label="PromQL query"
        aria-autocomplete="list"
        aria-expanded={open}
        aria-controls="promql-suggestions"
        aria-activedescendant={open ? `promql-suggestions-${active}` : undefined}
        spellcheck={false}
        rows={Math.min(8, Math.max(1, value.split('\n').length))}
        value={value}
        placeholder='rate(node_cpu_seconds_total{mode!="idle"}[5m])'
        onInput={(e) => {
          onChange(e.currentTarget.value);
          suggest(e.currentTarget.value, e.currentTarget.selectionStart);
        }}
        onBlur={() => setTimeout(() => setItems([]), 150)}
        onKeyDown={(e) => {
          if (open && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) {
            e.preventDefault();
            setActive((a) => (a + (e.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length);
          } else if (open && (e.key === 'Enter' || e.key === 'Tab')) {
            e.preventDefault();
            pick(items[active]!);
          } else if (open && e.key === 'Escape') {
            setItems([]);
          } else if (e.key === 'Enter' && !e.shiftKey) {
            e.preventDefault();
            onRun();
          }
        }}
      />
      {open && (
        <ul class="combo-list" id="promql-suggestions" role="listbox" data-testid="promql-suggestions">
          {items.map((item, i) => (
            <li
              key={item}
              id={`promql-suggestions-${i}`}
              role="option"
              aria-selected={i === active}
              class={i === active ? 'active' : undefined}
              onMouseDown={(e) => {
                e.preventDefault();
                pick(item);
              }}
            >
              <span class="mono">{item}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
