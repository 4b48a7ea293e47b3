// The Node flags a marquetry server runs with. package.json's start script
// and the bin's shebang (main.ts) carry the same; the bench and the tests
// that spawn a server pass these (server-node-flags.test.ts keeps them equal).
//
// Why: the main thread lives on ~17 MB of heap and promotes a little of each
// request, so V8 kept the old generation's limit within a young generation
// of its live size and started an incremental mark-compact every 0.5–1 s of
// ingest (27 per million spans, each freeing 1–2 MB of a 17 MB heap). An
// initial old generation of 64 MB leaves room for that garbage: 2 a million
// spans on the main thread, fewer in the ingest and flush threads too
// (docs/storage.md, "Session 13: the main thread's mark-compacts").
export const SERVER_NODE_FLAGS: readonly string[] = ['--initial-old-space-size=64'];
