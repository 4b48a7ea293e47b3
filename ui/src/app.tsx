// The shell: top bar (navigation, theme toggle), keyboard shortcuts, and the
// page of the current route.

import { useEffect } from 'preact/hooks';
import { matchRoute } from './route-match.js';
import { HOME, ROUTES } from './routes.js';
import { navigate, place } from './navigation.js';
import { theme, toggleTheme } from './theme.js';
import { Link } from './components/link.js';
import { EmptyState } from './components/states.js';
import { installShortcuts } from './shortcuts.js';

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
          <span class="shortcut-hint" title="Keyboard: / focuses the search box; g then s, f, c or q goes to Services, Search, Compare or SQL">
            <kbd>/</kbd> search · <kbd>g</kbd> go
          </span>
          <button type="button" class="icon-button" data-testid="theme-toggle" onClick={toggleTheme} aria-label={`Switch to ${theme.value === 'dark' ? 'light' : 'dark'} theme`} title="Toggle theme">
            {theme.value === 'dark' ? '☀' : '☾'}
          </button>
        </div>
      </header>
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
