// Metric chunk encodings: docs/format/chunks.md.

export { ChunkAppender, DEFAULT_CHUNK_CUT, type ChunkCut } from './appender.js';
export { type ChunkEncoding, MAX_SAMPLES_PER_CHUNK } from './header.js';
export { chunkInfo, chunkIterator, sampleAt, type ChunkInfo, type SampleIterator } from './read.js';
