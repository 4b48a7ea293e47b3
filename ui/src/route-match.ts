// Client-side routes: a path pattern (`/trace/:id`) matched against a pathname.
// Pure, so the router's decisions are unit-tested without a browser.

export interface RoutePattern<K extends string = string> {
  key: K;
  /** `/services/:service`; a segment `:name` captures one decoded path segment */
  pattern: string;
}

export interface RouteMatch<K extends string = string> {
  key: K;
  params: Record<string, string>;
}

/** The first pattern matching `pathname` (trailing slash ignored), or undefined. */
export function matchRoute<K extends string>(pathname: string, routes: readonly RoutePattern<K>[]): RouteMatch<K> | undefined {
  const parts = splitPath(pathname);
  for (const route of routes) {
    const want = splitPath(route.pattern);
    if (want.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < want.length && ok; i++) {
      const w = want[i]!;
      const got = parts[i]!;
      if (w.startsWith(':')) {
        try {
          params[w.slice(1)] = decodeURIComponent(got);
        } catch {
          ok = false;
        }
      } else ok = w === got;
    }
    if (ok) return { key: route.key, params };
  }
  return undefined;
}

function splitPath(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

/** A path with each `:name` replaced by its encoded parameter. */
export function pathOf(pattern: string, params: Record<string, string> = {}): string {
  return pattern.replace(/:(\w+)/g, (_, name: string) => {
    const v = params[name];
    if (v === undefined) throw new Error(`route: missing parameter ${name} for ${pattern}`);
    return encodeURIComponent(v);
  });
}

/** `path?query` with empty values left out, so URLs stay short and stable. */
export function hrefOf(path: string, query: Record<string, string | number | undefined | null> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue;
    q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}
