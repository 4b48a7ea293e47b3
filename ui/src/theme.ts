// Light and dark themes: CSS variables under [data-theme]; the choice is kept
// in localStorage, and without one the system's prefers-color-scheme decides.

import { signal } from '@preact/signals';

export type Theme = 'light' | 'dark';

const STORAGE_KEY = 'marquetry.theme';

function stored(): Theme | undefined {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    return v === 'light' || v === 'dark' ? v : undefined;
  } catch {
    return undefined;
  }
}

function systemTheme(): Theme {
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export const theme = signal<Theme>(stored() ?? systemTheme());

function apply(t: Theme): void {
  document.documentElement.dataset['theme'] = t;
}

/** Applies the theme now and follows the system's preference until the user picks one. */
export function initTheme(): void {
  apply(theme.value);
  window.matchMedia?.('(prefers-color-scheme: dark)').addEventListener('change', () => {
    if (stored() === undefined) {
      theme.value = systemTheme();
      apply(theme.value);
    }
  });
}

export function toggleTheme(): void {
  theme.value = theme.value === 'dark' ? 'light' : 'dark';
  try {
    localStorage.setItem(STORAGE_KEY, theme.value);
  } catch {
    // storage refused (private mode): the choice lasts for this page only
  }
  apply(theme.value);
}

/** A CSS variable's current value, for canvas drawing (charts) that cannot use var(). */
export function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}
