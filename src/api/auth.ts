// Optional bearer-token auth for ingest and query.

import { timingSafeEqual } from 'node:crypto';

/** True when no token is configured, or the header carries exactly it. */
export function checkBearer(header: string | undefined, token: string): boolean {
  if (token === '') return true;
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
  if (!m) return false;
  const given = Buffer.from(m[1]!.trim());
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}
