// The shell: top bar (navigation, theme toggle), keyboard shortcuts, and the
// page of the current route.

import { useEffect } from 'preact/hooks';
import { matchRoute } from './route-match.js';
import { HOME, ROUTES } from './routes.js';
import { navigate, place } from './navigation.js';
import { theme, toggleTheme } from './theme.js';
import { Link } from './components/link.js';
import { EmptyState } from './components/states.js';
import { installShortcuts, shortcutHelpOpen } from './shortcuts.js';

export function App() {
  const { pathname } = place.value;
  const match = matchRoute(pathname, ROUTES);
  const route = match && ROUTES.find((r) => r.key === match.key);

  useEffect(() => {
    if (pathname === '/' || pathname === '') navigate(HOME, { replace: true });
  }, [pathname]);

  useEffect(() => {
    document.title = route ? `${route.title} · marquetry` : 'marquetry';
  }, [route]);

  useEffect(() => installShortcuts(ROUTES), []);

  const Page = route?.component;
  return (
    <div class="app">
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <Link href={HOME} class="brand" aria-label="marquetry home">
          <span class="brand-mark" aria-hidden="true">▦</span> marquetry
        </Link>
        <nav aria-label="Pages">
          {ROUTES.filter((r) => r.nav).map((r) => {
            const current = route !== undefined && (route.section ?? route.key) === r.key;
            return (
              <Link key={r.key} href={r.pattern} class={current ? 'active' : undefined} aria-current={current ? 'page' : undefined}>
                {r.nav}
              </Link>
            );
          })}
        </nav>
        <div class="topbar-end">
          <button type="button" class="shortcut-hint" onClick={() => (shortcutHelpOpen.value = !shortcutHelpOpen.value)} aria-label="Keyboard shortcuts">
            <kbd>?</kbd> shortcuts
          </button>
          <button type="button" class="icon-button" data-testid="theme-toggle" onClick={toggleTheme} aria-label={`Switch to ${theme.value === 'dark' ? 'light' : 'dark'} theme`} title="Toggle theme">
            {theme.value === 'dark' ? '☀' : '☾'}
          </button>
        </div>
      </header>
      {shortcutHelpOpen.value && <ShortcutHelp />}
      <main id="main" tabIndex={-1}>
        {Page && match ? (
          <Page params={match.params} />
        ) : pathname === '/' ? null : (
          <EmptyState title={`No page at ${pathname}`}>
            <p>
              Go to <Link href={HOME}>Services</Link> or <Link href="/search">Search</Link>.
            </p>
          </EmptyState>
        )}
      </main>
    </div>
  );
}

function ShortcutHelp() {
  const rows: [string, string][] = [
    ['/', 'focus the search box of the page'],
    ['Esc', 'close a list, menu or this help'],
    ['?', 'show or hide this help'],
    ...ROUTES.filter((r) => r.shortcut).map((r): [string, string] => [`g ${r.shortcut}`, `go to ${r.title}`]),
    ['Ctrl/⌘ Enter', 'run the SQL query'],
  ];
  return (
    <div class="shortcut-help panel" role="dialog" aria-label="Keyboard shortcuts" data-testid="shortcut-help">
      <table>
        <tbody>
          {rows.map(([keys, what]) => (
            <tr key={keys}>
              <td>
                {keys.split(' ').map((k) => (
                  <kbd key={k}>{k}</kbd>
                ))}
              </td>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
