// Keyboard shortcuts: `/` focuses the page's search box (the element marked
// data-shortcut="search"), `g` then a page's key goes to that page, `?` shows
// them all.

import { signal } from '@preact/signals';
import { navigate } from './navigation.js';

/** The keyboard help (opened with `?`). */
export const shortcutHelpOpen = signal(false);

interface ShortcutTarget {
  pattern: string;
  shortcut?: string;
}

function typing(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));
}

/** Installs the listeners; returns the function removing them. */
export function installShortcuts(routes: readonly ShortcutTarget[]): () => void {
  let goPending = false;
  let goTimer: ReturnType<typeof setTimeout> | undefined;
  const onKey = (e: KeyboardEvent): void => {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
    if (goPending) {
      goPending = false;
      clearTimeout(goTimer);
      const route = routes.find((r) => r.shortcut === e.key);
      if (route) {
        e.preventDefault();
        navigate(route.pattern);
      }
      return;
    }
    if (e.key === '?') {
      e.preventDefault();
      shortcutHelpOpen.value = !shortcutHelpOpen.value;
    } else if (e.key === 'Escape' && shortcutHelpOpen.value) {
      shortcutHelpOpen.value = false;
    } else if (e.key === '/') {
      const box = document.querySelector<HTMLElement>('[data-shortcut="search"]');
      if (box) {
        e.preventDefault();
        box.focus();
      }
    } else if (e.key === 'g') {
      goPending = true;
      goTimer = setTimeout(() => (goPending = false), 1500);
    }
  };
  document.addEventListener('keydown', onKey);
  return () => document.removeEventListener('keydown', onKey);
}
