// What a key does on the waterfall's tree (the WAI-ARIA tree pattern): pure, so
// every key is tested without a browser; the view only carries the action out.

import type { Trace } from './trace-model.js';

export type TreeKeyAction =
  | { readonly kind: 'focus'; readonly span: number }
  | { readonly kind: 'toggle'; readonly span: number }
  | { readonly kind: 'select'; readonly span: number }
  | { readonly kind: 'close' }
  | { readonly kind: 'match'; readonly step: 1 | -1 };

export interface TreeState {
  readonly trace: Trace;
  /** span indexes of the visible rows */
  readonly rows: Int32Array;
  readonly collapsed: Uint8Array;
  readonly focused: number;
  /** rows per page, for PageUp/PageDown */
  readonly pageRows: number;
}

/** The action for `key`, or undefined when the tree does not use that key. */
export function treeKeyAction(key: string, state: TreeState): TreeKeyAction | undefined {
  const { trace, rows, collapsed, focused } = state;
  const row = rows.indexOf(focused);
  const s = trace.spans[focused]!;
  const rowAt = (r: number): TreeKeyAction => ({ kind: 'focus', span: rows[Math.min(Math.max(r, 0), rows.length - 1)]! });
  switch (key) {
    case 'ArrowDown':
      return rowAt(row + 1);
    case 'ArrowUp':
      return rowAt(row - 1);
    case 'PageDown':
      return rowAt(row + state.pageRows);
    case 'PageUp':
      return rowAt(row - state.pageRows);
    case 'Home':
      return rowAt(0);
    case 'End':
      return rowAt(rows.length - 1);
    case 'ArrowLeft':
      if (s.children.length > 0 && !collapsed[focused]) return { kind: 'toggle', span: focused };
      return s.parent >= 0 ? { kind: 'focus', span: s.parent } : undefined;
    case 'ArrowRight':
      if (collapsed[focused]) return { kind: 'toggle', span: focused };
      return s.children.length > 0 ? { kind: 'focus', span: s.children[0]! } : undefined;
    case 'Enter':
      return { kind: 'select', span: focused };
    case 'Escape':
      return { kind: 'close' };
    case 'n':
      return { kind: 'match', step: 1 };
    case 'N':
      return { kind: 'match', step: -1 };
    default:
      return undefined;
  }
}
