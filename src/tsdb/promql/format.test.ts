import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ValueType } from './ast.js';
import { formatExpr } from './format.js';
import { parsePromql } from './parser.js';
import { withoutPositions } from './testing.js';
import { seededRandom } from '../../model/seeded-random.js';

interface Generated {
  readonly text: string;
  readonly binary: boolean;
}

/** Writes random well-typed PromQL, with random spacing, case and comments. */
class QueryGenerator {
  constructor(private readonly random: () => number) {}

  expr(type: ValueType, depth: number): string {
    return this.generate(type, depth).text;
  }

  /** An operand of a binary operator: parenthesised when it is itself a binary expression. */
  private operand(type: ValueType, depth: number): string {
    const g = this.generate(type, depth);
    return g.binary ? `(${g.text})` : g.text;
  }

  private binary(lhs: string, op: string, rhs: string): Generated {
    return { text: `${lhs}${this.sp()}${op}${this.sp()}${rhs}`, binary: true };
  }

  private generate(type: ValueType, depth: number): Generated {
    if (depth <= 0) return { text: this.leaf(type), binary: false };
    const d = depth - 1;
    const plain = (text: string): Generated => ({ text, binary: false });
    switch (type) {
      case 'scalar':
        return this.pickFn<Generated>([
          () => plain(this.leaf('scalar')),
          () => this.binary(this.operand('scalar', d), this.pick(['+', '-', '*', '/', '%', '^', 'atan2']), this.operand('scalar', d)),
          () => this.binary(this.operand('scalar', d), `${this.pick(['==', '!=', '>', '<', '>=', '<='])} ${this.kw('bool')}`, this.operand('scalar', d)),
          () => plain(`-${this.operand('scalar', d)}`),
          () => plain(`(${this.sp()}${this.expr('scalar', d)}${this.sp()})`),
          () => plain(`scalar(${this.expr('vector', d)})`),
          () => plain(this.pick(['time()', 'pi()'])),
        ]);
      case 'vector':
        return this.pickFn<Generated>([
          () => plain(this.leaf('vector')),
          () => this.binary(this.operand('vector', d), `${this.binaryOp()}${this.matching()}`, this.operand('vector', d)),
          () => this.binary(this.operand('vector', d), this.pick(['+', '*', '/', '^', '>', '<=', '== bool']), this.operand('scalar', d)),
          () => this.binary(this.operand('scalar', d), this.pick(['-', '%', '!= bool', '>']), this.operand('vector', d)),
          () => this.binary(this.operand('vector', d), `${this.kw(this.pick(['and', 'or', 'unless']))}${this.setMatching()}`, this.operand('vector', d)),
          () => plain(`${this.pick(['-', '+'])}${this.operand('vector', d)}`),
          () => plain(`(${this.expr('vector', d)})`),
          () => plain(this.aggregation(depth)),
          () => plain(`${this.pick(['abs', 'ceil', 'sort_desc', 'timestamp', 'sgn', 'absent', 'ln'])}(${this.expr('vector', d)})`),
          () => plain(`${this.pick(['rate', 'increase', 'avg_over_time', 'last_over_time', 'changes'])}(${this.expr('matrix', d)})`),
          () => plain(`quantile_over_time(${this.expr('scalar', d)}, ${this.expr('matrix', d)})`),
          () => plain(`histogram_quantile(${this.expr('scalar', d)}, ${this.expr('vector', d)})`),
          () => plain(`clamp(${this.expr('vector', d)}, ${this.expr('scalar', d)}, ${this.expr('scalar', d)})`),
          () => plain(`round(${this.expr('vector', d)}${this.random() < 0.5 ? `, ${this.expr('scalar', d)}` : ''})`),
          () => plain(`${this.pick(['hour', 'month', 'day_of_week'])}(${this.random() < 0.5 ? this.expr('vector', d) : ''})`),
          () => plain(`label_replace(${this.expr('vector', d)}, "dst", "$1", "src", "(.*)")`),
          () => plain(`label_join(${this.expr('vector', d)}, "dst", ",", "a", "b")`),
          () => plain(`vector(${this.expr('scalar', d)})`),
        ]);
      case 'matrix':
        return this.pickFn<Generated>([
          () => plain(this.leaf('matrix')),
          () => plain(`${this.subqueryOperand(depth)}[${this.duration()}:${this.random() < 0.5 ? this.duration() : ''}]${this.modifiers()}`),
        ]);
      case 'string':
        return plain(this.leaf('string'));
    }
  }

  private subqueryOperand(depth: number): string {
    return this.pickFn([
      () => this.selector(),
      () => `(${this.expr('vector', depth - 1)})`,
      () => this.aggregation(depth),
      () => `rate(${this.expr('matrix', depth - 1)})`,
    ]);
  }

  private leaf(type: ValueType): string {
    switch (type) {
      case 'scalar':
        return this.pick(['1', '0.5', '-2', '1e3', '0x1f', '0755', 'Inf', '-Inf', 'NaN', '.25', '5m', '1_000', '+3']);
      case 'vector':
        return this.selector() + this.modifiers();
      case 'matrix':
        return `${this.selector()}[${this.duration()}]${this.modifiers()}`;
      case 'string':
        return this.pick(['"a"', "'b\\n'", '`c\\d`', '"é😀"', '""']);
    }
  }

  private selector(): string {
    const name = this.pick(['up', 'http_requests_total', 'job:rate5m', 'sum', 'by', 'offset', '']);
    const matchers: string[] = [];
    // Without a name, one matcher must not match the empty string.
    if (name === '') matchers.push(this.pick(['job="api"', 'code=~"5.."', '"my.metric"', '__name__=~"up|down"']));
    const more = Math.floor(this.random() * 3);
    for (let i = 0; i < more; i++) {
      matchers.push(this.pick(['job="api"', 'code=~"5.."', 'env!="dev"', 'path!~"/health.*"', '"service.name"="x"', 'offset="y"', 'a=""']));
    }
    const separator = this.random() < 0.5 ? ',' : ', ';
    const trailing = this.random() < 0.2 ? ',' : '';
    const braces = matchers.length > 0 || name === '' ? `{${matchers.join(separator)}${trailing}}` : '';
    return `${name}${braces}`;
  }

  private modifiers(): string {
    let out = '';
    const at = this.random() < 0.3 ? ` @ ${this.pick(['100', '1603774568.123', '-5', 'start()', 'end()', '1m'])}` : '';
    const offset = this.random() < 0.3 ? ` ${this.kw('offset')} ${this.pick(['5m', '-1h30m', '3600', '1w', '250ms', '1.5'])}` : '';
    if (this.random() < 0.5) out = at + offset;
    else out = offset + at;
    return out;
  }

  private aggregation(depth: number): string {
    const op = this.pick(['sum', 'avg', 'min', 'max', 'count', 'group', 'stddev', 'stdvar', 'topk', 'bottomk', 'quantile', 'count_values', 'limitk']);
    let param = '';
    if (op === 'count_values') param = '"value", ';
    else if (op === 'topk' || op === 'bottomk' || op === 'limitk' || op === 'quantile') param = `${this.expr('scalar', depth - 1)}, `;
    const grouping = this.random() < 0.5 ? '' : `${this.kw(this.pick(['by', 'without']))} (${this.labels()})`;
    const body = `(${param}${this.expr('vector', depth - 1)})`;
    const name = this.kw(op);
    if (grouping === '') return `${name}${body}`;
    return this.random() < 0.5 ? `${name} ${grouping} ${body}` : `${name}${body} ${grouping}`;
  }

  private binaryOp(): string {
    return this.pick(['+', '-', '*', '/', '%', '^', 'atan2', '==', '!=', '>', '<', '>=', '<=', '> bool', '== bool']);
  }

  private matching(): string {
    const r = this.random();
    if (r < 0.5) return '';
    const clause = `${this.sp()}${this.kw(this.pick(['on', 'ignoring']))}(${this.labels()})`;
    if (r < 0.75) return clause;
    const group = this.kw(this.pick(['group_left', 'group_right']));
    // Always with a list: `group_left (a + b)` would read `a + b` as the label list.
    return `${clause} ${group}(${this.random() < 0.5 ? this.pick(['team', 'owner']) : ''})`;
  }

  private setMatching(): string {
    return this.random() < 0.6 ? '' : ` ${this.kw(this.pick(['on', 'ignoring']))}(${this.labels()})`;
  }

  private labels(): string {
    const count = Math.floor(this.random() * 3);
    const labels = Array.from({ length: count }, () => this.pick(['job', 'instance', 'le', '"a.b"', 'and', 'on']));
    return labels.join(', ');
  }

  private duration(): string {
    return this.pick(['5m', '1h', '30s', '1d', '1h30m', '90', '2w', '250ms']);
  }

  /** Keywords are case-insensitive. */
  private kw(word: string): string {
    return this.random() < 0.2 ? word.toUpperCase() : word;
  }

  private sp(): string {
    return this.pick([' ', ' ', ' ', '  ', '\n', ' # note\n']);
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }

  private pickFn<T = string>(options: ReadonlyArray<() => T>): T {
    return this.pick(options)();
  }
}

describe('formatExpr on random queries', () => {
  it('prints text that parses back to the same tree, and is stable', () => {
    const gen = new QueryGenerator(seededRandom(20240611));
    const types: ValueType[] = ['vector', 'vector', 'scalar', 'matrix'];
    for (let i = 0; i < 3000; i++) {
      const query = gen.expr(types[i % types.length]!, 1 + (i % 4));
      let first;
      try {
        first = parsePromql(query);
      } catch (err) {
        assert.fail(`generated query failed to parse: ${query}\n${String(err)}`);
      }
      const text = formatExpr(first);
      const second = parsePromql(text);
      assert.deepEqual(withoutPositions(second), withoutPositions(first), `${query}\nformatted as\n${text}`);
      assert.equal(formatExpr(second), text);
    }
  });

  it('prints a very long operator chain without exhausting the stack', () => {
    const query = Array.from({ length: 20000 }, (_, i) => `m${i}`).join(' - ');
    const expr = parsePromql(query);
    assert.equal(formatExpr(expr), query);
  });
});
