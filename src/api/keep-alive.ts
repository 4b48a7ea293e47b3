// Node's default 5 s idle close races clients that reuse a pooled connection
// after a busy pause: a POST written to a socket the server has just closed
// fails and is not retried. Every HTTP server of ours keeps idle connections
// this long instead (longer than common clients' own idle timeouts).
export const IDLE_KEEP_ALIVE_MS = 65_000;
