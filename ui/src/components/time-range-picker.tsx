// The time-range picker: presets relative to now and an absolute from/to.
// It edits the page's `from`/`to` query parameters.

import { useEffect, useRef, useState } from 'preact/hooks';
import { RANGE_PRESETS, describeRange, resolveRange, type TimeRangeParams } from '../time-range.js';
import { formatTime } from '../format.js';
import { setQuery } from '../navigation.js';

function toLocalInput(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 19);
}

export function TimeRangePicker({ range, onRefresh }: { range: TimeRangeParams; onRefresh?: (() => void) | undefined }) {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  // A click anywhere else closes the menu.
  useEffect(() => {
    if (!open) return undefined;
    const onDown = (e: MouseEvent): void => {
      if (root.current && !root.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [open]);
  const resolved = resolveRange(range, Date.now());
  const [from, setFrom] = useState(toLocalInput(resolved.startMs));
  const [to, setTo] = useState(toLocalInput(resolved.endMs));

  const pick = (next: TimeRangeParams): void => {
    setQuery({ from: next.from, to: next.to });
    setOpen(false);
  };

  return (
    <div class="time-range" ref={root} onKeyDown={(e) => e.key === 'Escape' && setOpen(false)}>
      <button
        type="button"
        class="time-range-button"
        aria-haspopup="true"
        aria-expanded={open}
        data-testid="time-range"
        onClick={() => {
          setFrom(toLocalInput(resolved.startMs));
          setTo(toLocalInput(resolved.endMs));
          setOpen(!open);
        }}
      >
        {describeRange(range, formatTime)} ▾
      </button>
      {onRefresh && (
        <button type="button" class="icon-button" title="Run again" aria-label="Run again" onClick={onRefresh}>
          ↻
        </button>
      )}
      {open && (
        <div class="time-range-menu" role="dialog" aria-label="Time range">
          <ul>
            {RANGE_PRESETS.map((p) => (
              <li key={p.from}>
                <button type="button" class={range.from === p.from && range.to === 'now' ? 'active' : undefined} onClick={() => pick({ from: p.from, to: 'now' })}>
                  {p.label}
                </button>
              </li>
            ))}
          </ul>
          <form
            class="time-range-absolute"
            onSubmit={(e) => {
              e.preventDefault();
              const start = new Date(from).getTime();
              const end = new Date(to).getTime();
              if (Number.isFinite(start) && Number.isFinite(end) && start < end) pick({ from: String(start), to: String(end) });
            }}
          >
            <label>
              From <input type="datetime-local" step="1" value={from} onInput={(e) => setFrom(e.currentTarget.value)} />
            </label>
            <label>
              To <input type="datetime-local" step="1" value={to} onInput={(e) => setTo(e.currentTarget.value)} />
            </label>
            <button type="submit">Apply</button>
          </form>
        </div>
      )}
    </div>
  );
}

