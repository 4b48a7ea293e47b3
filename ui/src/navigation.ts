// The browser location as a signal: pages read the path and query string from
// it and change them with navigate()/setQuery(), so every page's state is a URL
// (deep links, back/forward).

import { signal } from '@preact/signals';

export interface Place {
  pathname: string;
  search: string;
}

function here(): Place {
  return { pathname: window.location.pathname, search: window.location.search };
}

export const place = signal<Place>(here());

window.addEventListener('popstate', () => {
  place.value = here();
});

export interface NavigateOptions {
  /** replace the current history entry (typing, brushing) instead of adding one */
  replace?: boolean;
}

/** Goes to `href` (same origin) without reloading. */
export function navigate(href: string, options: NavigateOptions = {}): void {
  const url = new URL(href, window.location.href);
  const next = url.pathname + url.search + url.hash;
  if (next === window.location.pathname + window.location.search + window.location.hash) return;
  if (options.replace) window.history.replaceState(null, '', next);
  else window.history.pushState(null, '', next);
  place.value = here();
  if (!options.replace) window.scrollTo(0, 0);
}

/** The current query string's parameters (read inside a component to re-render on change). */
export function useQueryParams(): URLSearchParams {
  return new URLSearchParams(place.value.search);
}

/** Sets (or, with '' / undefined, removes) query parameters of the current page. */
export function setQuery(patch: Record<string, string | number | undefined>, options: NavigateOptions = {}): void {
  const q = new URLSearchParams(window.location.search);
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined || v === '') q.delete(k);
    else q.set(k, String(v));
  }
  const s = q.toString();
  navigate(window.location.pathname + (s ? `?${s}` : ''), options);
}

/** True for a plain left click that the router should handle (no new tab or window). */
export function isPlainClick(e: MouseEvent): boolean {
  return e.button === 0 && !e.metaKey && !e.ctrlKey && !e.shiftKey && !e.altKey && !e.defaultPrevented;
}
