// PromQL errors carry the position the way Prometheus prints it: 1-based line,
// then the 1-based column counted in UTF-8 bytes from the line start, so
// `promql: 1:8: parse error: unexpected "}"` points where Prometheus would.

import { BadQueryError, UnsupportedQueryError } from '../../model/errors.js';

export interface QueryPosition {
  /** UTF-16 offset into the query. */
  readonly offset: number;
  readonly line: number;
  /** 1-based, in UTF-8 bytes like Prometheus. */
  readonly column: number;
}

export function locate(query: string, offset: number): QueryPosition {
  const before = query.slice(0, Math.max(0, Math.min(offset, query.length)));
  const lineStart = before.lastIndexOf('\n') + 1;
  let line = 1;
  for (let i = 0; i < lineStart; i++) if (before.charCodeAt(i) === 10) line++;
  const column = Buffer.byteLength(before.slice(lineStart), 'utf8') + 1;
  return { offset, line, column };
}

/** A query that is not valid PromQL; `detail` is the message without position or prefix. */
export class PromqlParseError extends BadQueryError {
  readonly position: QueryPosition;

  constructor(
    readonly detail: string,
    query: string,
    offset: number,
  ) {
    const position = locate(query, offset);
    super(`promql: ${position.line}:${position.column}: parse error: ${detail}`);
    this.position = position;
  }

  /** The text Prometheus's HTTP API would put in `error`: `1:8: parse error: …`. */
  get prometheusMessage(): string {
    return `${this.position.line}:${this.position.column}: parse error: ${this.detail}`;
  }
}

/** Valid PromQL that marquetry does not evaluate; the message names the construct. */
export function unsupported(construct: string, query: string, offset: number): UnsupportedQueryError {
  const { line, column } = locate(query, offset);
  return new UnsupportedQueryError(`promql: ${line}:${column}: ${construct} is not supported`);
}
