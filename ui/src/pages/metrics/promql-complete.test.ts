import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyCompletion, completionContext, rankSuggestions } from './promql-complete.js';

/** Context at the `|` in `q`. */
function at(q: string) {
  const pos = q.indexOf('|');
  return completionContext(q.replace('|', ''), pos);
}

describe('PromQL completion context', () => {
  it('suggests metric names for an identifier, also inside function calls', () => {
    assert.deepEqual(at('node_cp|'), { kind: 'metric', prefix: 'node_cp', from: 0, to: 7 });
    assert.deepEqual(at('rate(node_c|pu[5m])'), { kind: 'metric', prefix: 'node_c', from: 5, to: 13 });
    assert.equal(at('up > 1|'), undefined, 'not after a number');
  });

  it('suggests label names of the selector’s metric after { or a comma', () => {
    assert.deepEqual(at('up{jo|}'), { kind: 'labelName', prefix: 'jo', from: 3, to: 5, metric: 'up', inSelector: true });
    assert.deepEqual(at('up{job="a", |}'), { kind: 'labelName', prefix: '', from: 12, to: 12, metric: 'up', inSelector: true });
    assert.deepEqual(at('{|}'), { kind: 'labelName', prefix: '', from: 1, to: 1, metric: undefined, inSelector: true });
    assert.equal(at('up{job=|}'), undefined, 'after an operator, before a quote');
  });

  it('suggests values of the label before the operator inside a string', () => {
    assert.deepEqual(at('up{job="no|"}'), { kind: 'labelValue', prefix: 'no', from: 8, to: 10, metric: 'up', label: 'job', quote: '"' });
    assert.deepEqual(at("rate(x{mode!~'id|"), { kind: 'labelValue', prefix: 'id', from: 14, to: 16, metric: 'x', label: 'mode', quote: "'" });
    assert.equal(at('label_replace(up, "a|"'), undefined, 'a string argument is no label value');
  });

  it('suggests label names in grouping clauses', () => {
    assert.deepEqual(at('sum by (ins|) (up)'), { kind: 'labelName', prefix: 'ins', from: 8, to: 11, metric: undefined, inSelector: false });
    assert.deepEqual(at('a / on(job, |) b'), { kind: 'labelName', prefix: '', from: 12, to: 12, metric: undefined, inSelector: false });
  });
});

describe('applying a completion', () => {
  it('replaces the identifier and keeps the rest', () => {
    const ctx = at('rate(node_c|pu[5m])')!;
    assert.deepEqual(applyCompletion('rate(node_cpu[5m])', ctx, 'node_cpu_seconds_total'), { text: 'rate(node_cpu_seconds_total[5m])', cursor: 27 });
  });

  it('opens a value string after a label name picked in a selector', () => {
    const ctx = at('up{jo|}')!;
    assert.deepEqual(applyCompletion('up{jo}', ctx, 'job'), { text: 'up{job=""}', cursor: 8 });
  });

  it('closes the value string and escapes quotes and backslashes', () => {
    const ctx = at('up{path="C:|')!;
    assert.deepEqual(applyCompletion('up{path="C:', ctx, 'C:\\x "y"'), { text: 'up{path="C:\\\\x \\"y\\""', cursor: 21 });
    const closed = at('up{job="no|de"}')!;
    assert.deepEqual(applyCompletion('up{job="node"}', closed, 'node'), { text: 'up{job="node"}', cursor: 13 });
  });
});

describe('ranking suggestions', () => {
  it('puts prefix matches before substring matches, drops an exact match, and caps the list', () => {
    const names = ['go_gc_duration_seconds', 'node_cpu_seconds_total', 'process_cpu_seconds_total', 'node_load1', 'cpu'];
    assert.deepEqual(rankSuggestions(names, 'cpu', 10), ['node_cpu_seconds_total', 'process_cpu_seconds_total']);
    assert.deepEqual(rankSuggestions(names, 'node', 1), ['node_cpu_seconds_total']);
    assert.deepEqual(rankSuggestions(names, '', 2), ['go_gc_duration_seconds', 'node_cpu_seconds_total']);
  });
});
