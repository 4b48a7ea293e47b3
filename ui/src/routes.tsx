// The route table: one entry per page. To add a page, add its folder under
// pages/ and one entry here (pattern, title, whether it shows in the top bar).

import type { ComponentType } from 'preact';
import type { RoutePattern } from './route-match.js';
import { ServicesPage } from './pages/services/services-page.js';
import { ServicePage } from './pages/services/service-page.js';
import { SearchPage } from './pages/search/search-page.js';
import { ComparePage } from './pages/compare/compare-page.js';
import { SqlPage } from './pages/sql/sql-page.js';
import { MetricsPage } from './pages/metrics/metrics-page.js';
import { LogsPage } from './pages/logs/logs-page.js';
import { TracePage } from './trace/trace-page.js';

export interface PageRoute extends RoutePattern {
  title: string;
  /** label in the top navigation; pages reached by drilling down have none */
  nav?: string;
  /** the top-bar entry this page belongs to (a service's page → services) */
  section?: string;
  /** `g` then this key goes to the page */
  shortcut?: string;
  component: ComponentType<{ params: Record<string, string> }>;
}

export const ROUTES: readonly PageRoute[] = [
  { key: 'services', pattern: '/services', title: 'Services', nav: 'Services', shortcut: 's', component: ServicesPage },
  { key: 'service', pattern: '/services/:service', title: 'Service', section: 'services', component: ServicePage },
  { key: 'search', pattern: '/search', title: 'Search', nav: 'Search', shortcut: 'f', component: SearchPage },
  { key: 'trace', pattern: '/trace/:id', title: 'Trace', section: 'search', component: TracePage },
  { key: 'logs', pattern: '/logs', title: 'Logs', nav: 'Logs', shortcut: 'l', component: LogsPage },
  { key: 'compare', pattern: '/compare', title: 'Compare', nav: 'Compare', shortcut: 'c', component: ComparePage },
  { key: 'metrics', pattern: '/metrics', title: 'Metrics', nav: 'Metrics', shortcut: 'm', component: MetricsPage },
  { key: 'sql', pattern: '/sql', title: 'SQL', nav: 'SQL', shortcut: 'q', component: SqlPage },
];

/** Where `/` goes. */
export const HOME = '/services';
