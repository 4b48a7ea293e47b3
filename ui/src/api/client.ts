// The one place that talks HTTP to marquetry's API. Errors carry the server's
// own message (`{"error": "…"}`) so pages can show it as it is.

import { signal } from '@preact/signals';

const TOKEN_KEY = 'marquetry.token';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The bearer token for servers started with --auth-token, kept in localStorage. */
export const apiToken = signal<string>(readToken());

function readToken(): string {
  try {
    return localStorage.getItem(TOKEN_KEY) ?? '';
  } catch {
    return '';
  }
}

export function setApiToken(token: string): void {
  apiToken.value = token.trim();
  try {
    localStorage.setItem(TOKEN_KEY, apiToken.value);
  } catch {
    // not persisted; still used for this page
  }
}

export type QueryValue = string | number | boolean | undefined | null;

export function urlOf(path: string, query: Record<string, QueryValue> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

async function request(url: string, init: RequestInit): Promise<Response> {
  const headers = new Headers(init.headers);
  if (apiToken.value) headers.set('authorization', `Bearer ${apiToken.value}`);
  let res: Response;
  try {
    res = await fetch(url, { ...init, headers });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, `Cannot reach marquetry (${(err as Error).message}). Is the server running?`);
  }
  if (res.ok) return res;
  const text = await res.text();
  let message = text || res.statusText;
  try {
    const body = JSON.parse(text) as { error?: unknown };
    if (typeof body.error === 'string') message = body.error;
  } catch {
    // not JSON: keep the text
  }
  throw new ApiError(res.status, message);
}

export async function getJson<T>(path: string, query: Record<string, QueryValue> = {}, signal?: AbortSignal): Promise<T> {
  const res = await request(urlOf(path, query), signal ? { signal } : {});
  return (await res.json()) as T;
}

export async function postJson<T>(path: string, body: unknown, signal?: AbortSignal): Promise<T> {
  const init: RequestInit = { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
  if (signal) init.signal = signal;
  const res = await request(path, init);
  return (await res.json()) as T;
}

/** POSTs JSON and returns the raw body (CSV downloads). */
export async function postForBlob(path: string, body: unknown): Promise<Blob> {
  const res = await request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return res.blob();
}
