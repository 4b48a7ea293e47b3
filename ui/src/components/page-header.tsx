// The header every time-ranged page starts with, and the query form of the
// search pages: written once so the pages keep one layout and one behaviour.

import type { ComponentChildren } from 'preact';
import type { TimeRangeParams } from '../time-range.js';
import { Loading } from './states.js';
import { TimeRangePicker } from './time-range-picker.js';

/** Title, a spinner while a query has run over a second, page links, the time range. */
export function PageHeader({
  title,
  loading,
  range,
  onRefresh,
  children,
}: {
  title: ComponentChildren;
  /** what the spinner says; no spinner when undefined */
  loading?: string | undefined;
  range: TimeRangeParams;
  onRefresh?: (() => void) | undefined;
  children?: ComponentChildren;
}) {
  return (
    <div class="page-header">
      {title}
      {loading && <Loading what={loading} />}
      {children}
      <TimeRangePicker range={range} onRefresh={onRefresh} />
    </div>
  );
}

/** A panel form whose submit (Enter or the button) runs `onSubmit` without reloading the page. */
export function SearchForm({ onSubmit, children }: { onSubmit: () => void; children: ComponentChildren }) {
  return (
    <form
      class="panel search-form"
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit();
      }}
    >
      {children}
      <button type="submit" class="primary">
        Search
      </button>
    </form>
  );
}
