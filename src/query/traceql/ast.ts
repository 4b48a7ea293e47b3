// The TraceQL subset marquetry understands, as a tree. The parser only builds
// nodes for constructs that exist in TraceQL; what marquetry cannot run yet is
// rejected while parsing (pipelines, structural operators, arithmetic) or while
// compiling (trace-level intrinsics), always with the construct's position.

/** 1-based line and column (in UTF-16 code units) of a token's first character. */
export interface SourcePosition {
  offset: number;
  line: number;
  column: number;
}

/** A whole query: spanset filters combined at trace level. */
export type SpansetExpr = SpansetFilter | SpansetOperation;

/** `{ <expr> }`; `{}` carries the literal `true`. */
export interface SpansetFilter {
  kind: 'spansetFilter';
  expr: FieldExpr;
  pos: SourcePosition;
}

/** `{a} && {b}`: both found matches in the trace; `{a} || {b}`: either did. */
export interface SpansetOperation {
  kind: 'spansetOperation';
  op: 'and' | 'or';
  left: SpansetExpr;
  right: SpansetExpr;
  pos: SourcePosition;
}

export type FieldExpr = LogicalExpr | NotExpr | Comparison | AttributeRef | IntrinsicRef | Literal;

/** `&&` / `||` inside one spanset filter: evaluated on a single span. */
export interface LogicalExpr {
  kind: 'logical';
  op: 'and' | 'or';
  left: FieldExpr;
  right: FieldExpr;
  pos: SourcePosition;
}

export interface NotExpr {
  kind: 'not';
  operand: FieldExpr;
  pos: SourcePosition;
}

export type ComparisonOp = '=' | '!=' | '>' | '>=' | '<' | '<=' | '=~' | '!~';

export interface Comparison {
  kind: 'comparison';
  op: ComparisonOp;
  left: FieldExpr;
  right: FieldExpr;
  /** position of the operator */
  pos: SourcePosition;
}

/**
 * `none` is the unscoped `.foo` (span attribute if the span has it, else the
 * resource's); `instrumentation` is the instrumentation scope's attributes.
 */
export type AttributeScope = 'none' | 'span' | 'resource' | 'instrumentation';

export interface AttributeRef {
  kind: 'attribute';
  scope: AttributeScope;
  /** the key as stored, quotes and escapes removed: `http.route`, `attr with space` */
  name: string;
  pos: SourcePosition;
}

/** Canonical (scoped) names; the old unscoped spellings map onto these. */
export type Intrinsic =
  | 'span:name'
  | 'span:kind'
  | 'span:status'
  | 'span:statusMessage'
  | 'span:duration'
  | 'span:id'
  | 'span:parentID'
  | 'trace:id'
  | 'trace:rootName'
  | 'trace:rootService'
  | 'trace:duration'
  | 'instrumentation:name'
  | 'instrumentation:version';

export interface IntrinsicRef {
  kind: 'intrinsic';
  name: Intrinsic;
  /** as written in the query (`status`, `span:status`), for messages */
  text: string;
  pos: SourcePosition;
}

export type StatusValue = 'unset' | 'ok' | 'error';
export type KindValue = 'unspecified' | 'internal' | 'server' | 'client' | 'producer' | 'consumer';

export type Literal =
  | { kind: 'string'; value: string; pos: SourcePosition }
  | { kind: 'int'; value: bigint; pos: SourcePosition }
  | { kind: 'float'; value: number; pos: SourcePosition }
  | { kind: 'duration'; nanos: bigint; pos: SourcePosition }
  | { kind: 'bool'; value: boolean; pos: SourcePosition }
  | { kind: 'nil'; pos: SourcePosition }
  | { kind: 'status'; value: StatusValue; pos: SourcePosition }
  | { kind: 'spanKind'; value: KindValue; pos: SourcePosition };

export type LiteralKind = Literal['kind'];

export function isLiteral(e: FieldExpr): e is Literal {
  switch (e.kind) {
    case 'string':
    case 'int':
    case 'float':
    case 'duration':
    case 'bool':
    case 'nil':
    case 'status':
    case 'spanKind':
      return true;
    default:
      return false;
  }
}

/** OTLP numeric codes, as stored in the `status_code` and `kind` columns. */
export const STATUS_CODE: Readonly<Record<StatusValue, number>> = { unset: 0, ok: 1, error: 2 };
export const SPAN_KIND_CODE: Readonly<Record<KindValue, number>> = {
  unspecified: 0,
  internal: 1,
  server: 2,
  client: 3,
  producer: 4,
  consumer: 5,
};

/** An attribute, intrinsic or literal: what a field expression is built of. */
export type FieldLeaf = AttributeRef | IntrinsicRef | Literal;

/** Whether `test` holds for every leaf of `e` (the operands of its `&&`, `||`, `!` and comparisons). */
export function everyFieldLeaf(e: FieldExpr, test: (leaf: FieldLeaf) => boolean): boolean {
  switch (e.kind) {
    case 'logical':
    case 'comparison':
      return everyFieldLeaf(e.left, test) && everyFieldLeaf(e.right, test);
    case 'not':
      return everyFieldLeaf(e.operand, test);
    default:
      return test(e);
  }
}

/** Whether `test` holds for the expression of every spanset filter of `e`. */
export function everySpansetFilter(e: SpansetExpr, test: (expr: FieldExpr) => boolean): boolean {
  return e.kind === 'spansetFilter' ? test(e.expr) : everySpansetFilter(e.left, test) && everySpansetFilter(e.right, test);
}
